#!/usr/bin/env bash
# npm test: every test, console-database tests on both databases. Installs and starts Chromium and
# PostgreSQL from Debian's packages when missing. Ends with one line: "N passed, N failed", where
# every test that should have run and did not counts as failed (scripts/summarise-tests.mjs
# describes the results folder). Independent steps run two at a time (CI has 2 cores):
#   type check        | unit tests, all files, SQLite
#   production build  | console-database tests ("db" project) again, on PostgreSQL
#   browser tests on SQLite, then on PostgreSQL
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
OUT=.tmp/test-results
rm -rf "$OUT"; mkdir -p "$OUT"
status=0
step() { echo; echo "=== $* ==="; }
expect_report() { echo "$1" >> "$OUT/expected.txt"; }
# check NAME CMD...: a step that counts as one test named NAME in the summary.
check() { local name=$1; shift; "$@"; local rc=$?; echo "$rc" > "$OUT/check-$name.status"; return $rc; }
# Runs "$@" in the background with its output in $OUT/log-NAME.txt; `finish NAME` waits and prints it.
declare -A bg_pid
background() { local name=$1; shift; ( "$@" ) > "$OUT/log-$name.txt" 2>&1 & bg_pid[$name]=$!; }
finish() { wait "${bg_pid[$1]}"; local rc=$?; step "$2"; cat "$OUT/log-$1.txt"; return $rc; }

step "System packages and PostgreSQL"
check system-packages bash scripts/system-deps.sh || { echo "could not prepare Chromium/PostgreSQL"; status=1; }
export TEST_POSTGRES_ADMIN_URL=${TEST_POSTGRES_ADMIN_URL:-postgresql://custodian:custodian@127.0.0.1:5432/postgres}

for r in vitest-sqlite.json vitest-postgres.json e2e-sqlite.json e2e-postgres.json; do expect_report "$r"; done

step "Unit and integration tests, console database on SQLite (type check alongside)"
background typecheck check typecheck npx tsc --noEmit
npx vitest run --reporter=default --reporter=json --outputFile.json="$OUT/vitest-sqlite.json" || status=1
finish typecheck "Type check" || status=1

step "Console-database tests on PostgreSQL (production build alongside)"
background build check build npx next build
TEST_POSTGRES_URL=$TEST_POSTGRES_ADMIN_URL npx vitest run --project db --reporter=default --reporter=json --outputFile.json="$OUT/vitest-postgres.json" || status=1
built=1; finish build "Production build" || { status=1; built=0; }

step "Live Sydent suite (two real Sydent 2.7.0 servers under load, *.live.test.ts)"
if reason=$(npx tsx scripts/live-kit-missing.ts); then
  expect_report vitest-live.json
  check live-kit-deps "${SYDENT_LIVE_KIT:-../shared/tools/sydent-live}/install-deps" || status=1
  npx vitest run --config vitest.live.config.ts --reporter=default --reporter=json --outputFile.json="$OUT/vitest-live.json" || status=1
else
  echo "$reason" | tee "$OUT/live-not-run.txt"
fi

# The browser tests that exist, so that tests which never ran (the server did not start) count.
npx playwright test --list --reporter=json > "$OUT/list-e2e.json" 2> "$OUT/log-list-e2e.txt" || { cat "$OUT/log-list-e2e.txt"; status=1; }

if [ "$built" = 1 ]; then
  step "Browser tests (Debian Chromium), console database on SQLite"
  E2E_CONSOLE_DB=sqlite PLAYWRIGHT_JSON_OUTPUT_NAME="$OUT/e2e-sqlite.json" npx playwright test --reporter=list,json || status=1

  step "Browser tests (Debian Chromium), console database on PostgreSQL"
  E2E_CONSOLE_DB=postgresql PLAYWRIGHT_JSON_OUTPUT_NAME="$OUT/e2e-postgres.json" npx playwright test --reporter=list,json || status=1
else
  # Never test an older .next: without a build, every browser test counts as not run (failed).
  step "Browser tests skipped: the production build failed"
fi

step "Summary"
node scripts/summarise-tests.mjs "$OUT" || status=1
exit $status
