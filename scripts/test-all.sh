#!/usr/bin/env bash
# npm test: every test, on both console databases. Installs and starts Chromium and PostgreSQL
# from Debian's packages when missing. Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
OUT=.tmp/test-results
rm -rf "$OUT"; mkdir -p "$OUT"
status=0
step() { echo; echo "=== $* ==="; }

step "System packages and PostgreSQL"
bash scripts/system-deps.sh || { echo "could not prepare Chromium/PostgreSQL"; status=1; }
export TEST_POSTGRES_ADMIN_URL=postgresql://custodian:custodian@127.0.0.1:5432/postgres

step "Type check"
npx tsc --noEmit || status=1

step "Unit and integration tests, console database on SQLite"
npx vitest run --reporter=default --reporter=json --outputFile.json="$OUT/vitest-sqlite.json" || status=1

step "Unit and integration tests, console database on PostgreSQL"
TEST_POSTGRES_URL=$TEST_POSTGRES_ADMIN_URL npx vitest run --reporter=default --reporter=json --outputFile.json="$OUT/vitest-postgres.json" || status=1

step "Live Sydent suite (two real Sydent 2.7.0 servers under load, *.live.test.ts)"
if reason=$(npx tsx scripts/live-kit-missing.ts); then
  "${SYDENT_LIVE_KIT:-../shared/tools/sydent-live}/install-deps" || status=1
  npx vitest run --config vitest.live.config.ts --reporter=default --reporter=json --outputFile.json="$OUT/vitest-live.json" || status=1
else
  echo "not run: $reason" | tee "$OUT/live-not-run.txt"
fi

step "Production build"
npx next build || status=1

step "Browser tests (Debian Chromium), console database on SQLite"
E2E_CONSOLE_DB=sqlite PLAYWRIGHT_JSON_OUTPUT_NAME="$OUT/e2e-sqlite.json" npx playwright test --reporter=list,json || status=1

step "Browser tests (Debian Chromium), console database on PostgreSQL"
E2E_CONSOLE_DB=postgresql PLAYWRIGHT_JSON_OUTPUT_NAME="$OUT/e2e-postgres.json" npx playwright test --reporter=list,json || status=1

step "Summary"
node scripts/summarise-tests.mjs "$OUT" || status=1
exit $status
