#!/usr/bin/env bash
# npm run demo: builds a realistic demo from nothing and starts the console on the embedded SQLite
# default. Safe to re-run: it regenerates the demo data and keeps .env (and so the keys).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
PORT="${PORT:-3100}"

if [ ! -f .env ]; then
  echo "Writing .env with fresh random secrets (keep it: the master key must never change)."
  umask 077
  cat > .env <<ENV
CONSOLE_DATABASE_URL=file:./data/console.db
NEXTAUTH_URL=http://127.0.0.1:${PORT}
NEXTAUTH_SECRET=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')
CUSTODIAN_MASTER_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')
CUSTODIAN_DATA_DIR=./data
ENV
fi
set -a; . ./.env; set +a

npm run --silent db:migrate
mkdir -p data/demo
npm run --silent cli -- demo:generate --out data/demo > data/demo/summary.json
npx tsx scripts/print-sign-ins.ts data/demo/summary.json > data/demo/sign-ins.txt
echo "Building the console (about a minute)..."
npx next build > data/demo/build.log 2>&1 || { cat data/demo/build.log; exit 1; }
echo
cat data/demo/sign-ins.txt
echo
echo "Custodian is starting at http://127.0.0.1:${PORT}  (Ctrl-C stops it)"
exec node node_modules/next/dist/bin/next start -H 127.0.0.1 -p "$PORT"
