#!/usr/bin/env bash
# Runs the demo market in the foreground: API, ingest worker, projections, plan worker,
# webhook sender and the simulated market (warehouses, readers, vans, the mall, the
# dispatcher).
# Ctrl-C stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .run
umask 077
port=${WAYBILL_API__PORT:-8000}
api="http://127.0.0.1:$port"
waybill=.venv/bin/waybill
eval "$($waybill broker env)"   # the platform's own broker accounts

# -- accounts: one per role with new random passwords each start, for a person to sign in
# with (listed in $logins), and one for the simulated dispatcher; the same calls as
# `waybill users create` / `set-password`, in one process so the start stays quick
logins=.run/demo-logins.txt
sim_password=$(.venv/bin/python - "$logins" <<'PY'
import secrets, sys
from accounts import audit, users
from accounts.models import Caller
from accounts.passwords import Passwords
from core.db import connect
from core.errors import Conflict
from core.settings import load

ACCOUNTS = [("admin", "admin", None, None), ("dispatcher", "dispatcher", None, None),
            ("seller101", "seller", "shop-101", None), ("seller102", "seller", "shop-102", None),
            ("buyer001", "buyer", None, "buyer-001"), ("buyer002", "buyer", None, "buyer-002"),
            ("sim-dispatch", "dispatcher", None, None)]
settings = load()
hasher, by = Passwords(settings.auth), Caller(subject="demo.sh", role="admin")
lines = [f"{'username':16} {'role':11} {'shop / buyer':14} password"]
with connect(settings.db.url) as conn:
    for name, role, shop, buyer in ACCOUNTS:
        password = secrets.token_urlsafe(12)
        try:
            with conn.transaction():
                users.create(conn, hasher, username=name, password=password, role=role,
                             shop_id=shop, buyer_id=buyer)
                audit.record(conn, by, "user.create", name, {"role": role})
        except Conflict:
            with conn.transaction():
                users.set_password(conn, hasher, name, password)
                audit.record(conn, by, "user.password_reset", name)
        if name == "sim-dispatch":
            print(password)
        else:
            lines.append(f"{name:16} {role:11} {shop or buyer or '':14} {password}")
with open(sys.argv[1], "w") as out:
    out.write("\n".join(lines) + "\n")
PY
)
# the mall's API key: kept while the database still knows it
key_file=.run/mall-api-key
live_keys=$($waybill apikeys list)
if [ ! -s "$key_file" ] || ! grep -q "^$(cut -d_ -f2 "$key_file")	.*live$" <<< "$live_keys"; then
  $waybill apikeys create "demo mall" > "$key_file"
fi
# the mall hears shipment webhooks on a port of its own, signed with a fresh key
mall_listen=127.0.0.1:${WAYBILL_DEMO_MALL_PORT:-8099}
export WAYBILL_MALL__WEBHOOK_URL=${WAYBILL_MALL__WEBHOOK_URL:-http://$mall_listen/webhooks}
export WAYBILL_MALL__WEBHOOK_SECRET=${WAYBILL_MALL__WEBHOOK_SECRET:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')}
python3 - "$api" "$(cat "$key_file")" "$sim_password" "$mall_listen" > .run/sim-credentials.json <<'PY'
import json, os, sys
api, key, password, listen = sys.argv[1:]
print(json.dumps({"api": api, "integration_key": key,
                  "dispatcher": {"username": "sim-dispatch", "password": password},
                  "mall_webhooks": {"listen": listen,
                                    "secret": os.environ["WAYBILL_MALL__WEBHOOK_SECRET"]}}))
PY

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT
# A service that dies (a database restarted under it ...) is started again; one that ends
# by itself ends the demo.
keep() {
  (
    child=
    trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; wait; exit 0' TERM
    while true; do
      "$@" & child=$!
      code=0; wait "$child" || code=$?
      [ "$code" = 0 ] && exit 0
      echo "[demo] '${*:2}' stopped ($code); starting it again in 2 s" >&2
      sleep 2
    done
  ) & pids+=($!)
}

keep $waybill serve
keep $waybill ingest --worker-id 1
keep $waybill epcis project
keep $waybill plan worker
keep $waybill track run
.venv/bin/python - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=1)
        break
    except OSError:
        time.sleep(0.2)
PY
keep $waybill sim --speed "${WAYBILL_DEMO_SPEED:-10}"
keep $waybill webhooks run   # to the simulated mall, once it listens

cat <<MSG

  Waybill demo market is running: three warehouses, twenty vans, the mall's orders,
  packing and dock-door RFID reads, plans approved, deliveries confirmed (${WAYBILL_DEMO_SPEED:-10}x time).
    Console:    $api/            (sign in with one of the accounts below)
    API docs:   $api/docs
  Accounts (kept in $logins):
$(sed 's/^/    /' "$logins")
  Ctrl-C stops everything.

MSG
wait -n "${pids[@]}"
