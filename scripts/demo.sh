#!/usr/bin/env bash
# Runs the demo market in the foreground: API, ingest worker and simulated vans.
# Ctrl-C stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .run
token_file=.run/admin-token
[ -s "$token_file" ] || python3 -c 'import secrets; print(secrets.token_urlsafe(24))' > "$token_file"
export WAYBILL_API__ADMIN_TOKEN=${WAYBILL_API__ADMIN_TOKEN:-$(cat "$token_file")}
port=${WAYBILL_API__PORT:-8000}
eval "$(.venv/bin/waybill broker env)"   # the platform's own broker accounts

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

.venv/bin/waybill serve & pids+=($!)
.venv/bin/waybill ingest --worker-id 1 & pids+=($!)
.venv/bin/waybill epcis project & pids+=($!)
.venv/bin/waybill plan worker & pids+=($!)
.venv/bin/waybill track run & pids+=($!)
.venv/bin/python - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=1)
        break
    except OSError:
        time.sleep(0.2)
PY
.venv/bin/waybill sim --vans 6 & pids+=($!)

cat <<MSG

  Waybill demo market is running.
    API docs:         http://127.0.0.1:$port/docs
    A van's position: curl -H "Authorization: Bearer $WAYBILL_API__ADMIN_TOKEN" http://127.0.0.1:$port/v1/vehicles/van-01/position
    Its track:        curl -H "Authorization: Bearer $WAYBILL_API__ADMIN_TOKEN" http://127.0.0.1:$port/v1/devices/van-01/track
    Admin token:      $WAYBILL_API__ADMIN_TOKEN  (kept in $token_file)
  Ctrl-C stops everything.

MSG
wait -n "${pids[@]}"
