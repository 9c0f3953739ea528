#!/usr/bin/env bash
# Runs the whole suite against the test database and the project's broker.
# pytest's exit code 5 (no tests collected) counts as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export WAYBILL_DB__URL=${WAYBILL_TEST_DB_URL:-postgresql://waybill:waybill@127.0.0.1:5432/waybill_test}
.venv/bin/pytest "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "no tests were collected: failing" >&2
  exit 1
fi
exit "$status"
