#!/usr/bin/env bash
# Installs and starts what Waybill needs on a Debian/Ubuntu machine, reusing whatever is
# already there: PostgreSQL with PostGIS and pg_partman, Mosquitto, a .venv with the package,
# the databases, and the project's own broker. Safe and fast to run again.
#
#   scripts/setup.sh            set up for the demo (database "waybill")
#   scripts/setup.sh test       also the test databases ("waybill_test", and "waybill_fuzz"
#                               where the API is fuzzed from its own OpenAPI document)
#   scripts/setup.sh bench      also the benchmark database ("waybill_bench")
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-demo}
run_dir=.run
mkdir -p "$run_dir"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { as_root runuser -u postgres -- "$@"; }
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------------------
pg_version() { ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1; }
missing=()
dpkg -s postgresql >/dev/null 2>&1 || dpkg -s "postgresql-$(pg_version)" >/dev/null 2>&1 \
  || missing+=(postgresql)
for pkg in mosquitto mosquitto-clients python3-venv; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
# The browser tests drive Debian's chromium headless (never a downloaded browser), and
# the console's Chinese text needs a CJK font to render in their screenshots.
if [ "$mode" = test ]; then
  for pkg in chromium fonts-noto-cjk; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi
PGV=$(pg_version)
ext_missing=()
for pkg in "postgresql-$PGV-postgis-3" "postgresql-$PGV-partman"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || ext_missing+=("$pkg")
done
if [ ${#ext_missing[@]} -gt 0 ]; then
  log "installing ${ext_missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${ext_missing[@]}" >/dev/null
fi

# --- PostgreSQL ----------------------------------------------------------------------------
if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
  log "creating a PostgreSQL $PGV cluster"
  as_root pg_createcluster "$PGV" main >/dev/null
fi
read -r cl_ver cl_name cl_port cl_status _ < <(pg_lsclusters -h | head -1)
if [ "$cl_status" != "online" ]; then
  log "starting PostgreSQL $cl_ver/$cl_name"
  as_root pg_ctlcluster --skip-systemctl-redirect "$cl_ver" "$cl_name" start
fi
for _ in $(seq 1 30); do
  as_postgres psql -p "$cl_port" -qAtc 'select 1' >/dev/null 2>&1 && break
  sleep 1
done

psql_su() { as_postgres psql -p "$cl_port" -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(psql_su -d postgres -c "select 1 from pg_roles where rolname = 'waybill'")" != 1 ]; then
  log "creating the database role waybill"
  # A local development role; deployments set WAYBILL_DB__URL to their own.
  psql_su -d postgres -c "create role waybill login password 'waybill'"
fi
databases=(waybill)
[ "$mode" = test ] && databases+=(waybill_test waybill_fuzz)
[ "$mode" = bench ] && databases+=(waybill_bench)
for db in "${databases[@]}"; do
  if [ "$(psql_su -d postgres -c "select 1 from pg_database where datname = '$db'")" != 1 ]; then
    log "creating database $db"
    psql_su -d postgres -c "create database $db owner waybill"
  fi
  # Extensions that need a superuser are created here; migrations find them present.
  psql_su -d "$db" <<'SQL'
create extension if not exists postgis;
create schema if not exists partman authorization waybill;
create extension if not exists pg_partman schema partman;
grant all on schema partman to waybill;
grant all on all tables in schema partman to waybill;
grant execute on all functions in schema partman to waybill;
grant execute on all procedures in schema partman to waybill;
grant all on schema public to waybill;
SQL
done

# --- Python environment -------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
  log "creating .venv"
  python3 -m venv .venv
fi
stamp="$run_dir/venv.stamp"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  log "installing the package into .venv"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[dev]'
  touch "$stamp"
fi

# --- The project's own broker (the tests start a fresh one of their own) -----------------
[ "$mode" != test ] && .venv/bin/waybill broker start

# --- Schema ------------------------------------------------------------------------------
for db in "${databases[@]}"; do
  WAYBILL_DB__URL="postgresql://waybill:waybill@127.0.0.1:$cl_port/$db" .venv/bin/waybill db upgrade
done
log "ready"
