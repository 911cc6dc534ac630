#!/usr/bin/env bash
# Installs and starts what the tests need from Debian's packages, when missing:
# Chromium (browser tests), PostgreSQL (the console database's second backend) and HAProxy
# (abuse blocks are enforced by the real HAProxy in tests).
# Idempotent; needs root (as on CI) or sudo.
set -euo pipefail
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/sbin/haproxy ] || command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing from Debian's packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

# Start the PostgreSQL cluster if it is down, and make sure the test role exists.
PGVER=$(pg_lsclusters -h | awk '$2=="main"{print $1; exit}')
if [ -z "$PGVER" ]; then
  PGVER=$(ls /usr/lib/postgresql | sort -V | tail -1)
  $SUDO pg_createcluster "$PGVER" main
fi
pg_ctlcluster "$PGVER" main status >/dev/null 2>&1 || $SUDO pg_ctlcluster "$PGVER" main start
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
pg_isready -h 127.0.0.1 -p 5432
$SUDO su postgres -c "psql -v ON_ERROR_STOP=1 -q" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'custodian') THEN
    CREATE ROLE custodian LOGIN PASSWORD 'custodian' SUPERUSER;
  END IF;
  -- The console's runtime role (README "PostgreSQL roles"): neither owner nor superuser; the
  -- tests connect as it (lib/test/console-db.ts), db:migrate --app-role grants it its rights.
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'custodian_app') THEN
    CREATE ROLE custodian_app LOGIN PASSWORD 'custodian_app' NOSUPERUSER NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
SQL
