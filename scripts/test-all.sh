#!/usr/bin/env bash
# npm test: every test, console-database tests on both databases. Installs and starts Chromium and
# PostgreSQL from Debian's packages when missing. Ends with one line: "N passed, N failed", where
# every test that should have run and did not counts as failed (scripts/summarise-tests.mjs
# describes the results folder). Independent steps run side by side (CI has 2 cores; vitest uses
# two workers; the browser runs keep both cores busy, so the two databases' runs go one after the
# other, while the live suite, which mostly waits, runs beside them):
#   type check                          | unit tests, all files, SQLite
#   production build                    | console-database tests ("db" project) again, on PostgreSQL
#   live Sydent suite                   | browser tests on SQLite, then on PostgreSQL (without the
#                                       |   markup-only sweeps: playwright.config.ts SQLITE_ONLY)
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

for r in vitest-sqlite.json vitest-postgres.json e2e-sqlite.json e2e-postgresql.json; do expect_report "$r"; done

step "Unit and integration tests, console database on SQLite (type check alongside)"
background typecheck check typecheck npx tsc --noEmit
npx vitest run --maxWorkers=2 --reporter=default --reporter=json --outputFile.json="$OUT/vitest-sqlite.json" || status=1
finish typecheck "Type check" || status=1

step "Console-database tests on PostgreSQL (production build alongside)"
background build check build npx next build
TEST_POSTGRES_URL=$TEST_POSTGRES_ADMIN_URL npx vitest run --maxWorkers=2 --project db --reporter=default --reporter=json --outputFile.json="$OUT/vitest-postgres.json" || status=1
built=1; finish build "Production build" || { status=1; built=0; }

# The browser tests that exist, so that tests which never ran (the server did not start) count.
npx playwright test --list --reporter=json > "$OUT/list-e2e.json" 2> "$OUT/log-list-e2e.txt" || { cat "$OUT/log-list-e2e.txt"; status=1; }
# PostgreSQL's run leaves out the markup-only sweeps (playwright.config.ts, SQLITE_ONLY): its own list.
E2E_CONSOLE_DB=postgresql npx playwright test --list --reporter=json > "$OUT/list-e2e-postgresql.json" 2>> "$OUT/log-list-e2e.txt" || { cat "$OUT/log-list-e2e.txt"; status=1; }

# The live Sydent suite needs the kit beside the clone; without it, it says why and is not counted.
live_suite() {
  local reason rc=0
  if reason=$(npx tsx scripts/live-kit-missing.ts); then
    expect_report vitest-live.json
    check live-kit-deps "${SYDENT_LIVE_KIT:-../shared/tools/sydent-live}/install-deps" || rc=1
    npx vitest run --config vitest.live.config.ts --reporter=default --reporter=json --outputFile.json="$OUT/vitest-live.json" || rc=1
  else
    echo "$reason" | tee "$OUT/live-not-run.txt"
  fi
  return $rc
}
# browser RUN: one console database's browser tests (own data directory, port and output folder).
browser() {
  E2E_CONSOLE_DB=$1 PLAYWRIGHT_JSON_OUTPUT_NAME="$OUT/e2e-$1.json" npx playwright test --reporter=list,json
}

# The live suite mostly waits on Sydent's replication and its load driver (about a fifth of a core),
# so it runs alongside the browser tests, which keep the machine busy; its output follows theirs.
step "Live Sydent suite in the background, alongside the browser tests"
background live live_suite
if [ "$built" = 1 ]; then
  step "Browser tests (Debian Chromium), console database on SQLite"
  browser sqlite || status=1
  step "Browser tests (Debian Chromium), console database on PostgreSQL"
  browser postgresql || status=1
else
  # Never test an older .next: without a build, every browser test counts as not run (failed).
  step "Browser tests skipped: the production build failed"
fi
finish live "Live Sydent suite (two real Sydent 2.7.0 servers under load, *.live.test.ts)" || status=1

step "Summary"
node scripts/summarise-tests.mjs "$OUT" || status=1
exit $status
