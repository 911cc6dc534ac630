import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "@playwright/test";

// Browser tests in Debian's Chromium against `next start`, on a console database made fresh by
// e2e/setup.ts (SQLite by default; PostgreSQL with E2E_CONSOLE_DB=postgresql). The identity
// servers are copies of the real Sydent fixture in lib/test/fixtures/sydent-real/.
// Each kind has its own data directory, port and output folder: the two runs never share state,
// and may run side by side on a machine with cores to spare.
const kind = process.env.E2E_CONSOLE_DB === "postgresql" ? "postgresql" : "sqlite";
const dataDir = path.resolve(".tmp/e2e", kind);
const port = Number(process.env.E2E_PORT ?? (kind === "postgresql" ? 3101 : 3100));
const baseURL = `http://127.0.0.1:${port}`;

export const e2eEnv: Record<string, string> = {
  E2E_CONSOLE_DB: kind,
  CONSOLE_DATABASE_URL:
    kind === "postgresql"
      ? "postgresql://custodian:custodian@127.0.0.1:5432/custodian_e2e"
      : `file:${path.join(dataDir, "console.db")}`,
  CUSTODIAN_DATA_DIR: dataDir,
  // The servers' logs are the fixture's, copied by e2e/setup.ts into the data directory.
  CUSTODIAN_LOG_ROOTS: `/var/log:${path.join(dataDir, "fixture")}`,
  NEXTAUTH_SECRET: "e2e-nextauth-secret-0123456789abcdef0123456789",
  NEXTAUTH_URL: baseURL,
  CUSTODIAN_MASTER_KEY: "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
  NEXT_TELEMETRY_DISABLED: "1",
  // Retention is judged as of the fixture's reference time (its aged log copies are relative to it).
  CUSTODIAN_RETENTION_NOW: JSON.parse(fs.readFileSync(path.resolve("lib/test/fixtures/sydent-real/truth.json"), "utf8")).reference_now,
  // Abuse blocks: e2e/blocks/blocks.spec.ts starts Debian's HAProxy with this socket and list directory.
  // HAProxy refuses a socket path over 97 characters: a clone in a deep folder uses /tmp instead.
  CUSTODIAN_HAPROXY_SOCKET: path.join(dataDir, "haproxy", "admin.sock").length <= 97 ? path.join(dataDir, "haproxy", "admin.sock") : `/tmp/custodian-e2e-${port}-haproxy.sock`,
  CUSTODIAN_HAPROXY_BLOCK_DIR: path.join(dataDir, "haproxy", "blocks"),
};
Object.assign(process.env, e2eEnv);

// Run on the SQLite console database only: the accessibility sweep (axe on every page, keyboard
// use) and the layout sweep (each role's pages at 1440 and 390 px) judge markup and CSS, which do
// not depend on the database that stored the rows, and they are 60 % of the browser run's time.
// On PostgreSQL, e2e/navigation/roles.spec.ts still loads every static page as every role (200 or
// 403) and the flow specs open the pages with ids, so each page is still rendered from PostgreSQL.
const SQLITE_ONLY = [/a11y\/pages\.spec\.ts/, /pages\/daily-work\.spec\.ts/];

export default defineConfig({
  testDir: "e2e",
  outputDir: path.resolve(".tmp/playwright", kind),
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/, use: { browserName: "chromium" } },
    { name: "chromium", testIgnore: kind === "postgresql" ? [/auth\.setup\.ts/, ...SQLITE_ONLY] : /auth\.setup\.ts/, dependencies: ["setup"], use: { browserName: "chromium" } },
  ],
  webServer: {
    command: `npx tsx e2e/setup.ts && node node_modules/next/dist/bin/next start -H 127.0.0.1 -p ${port}`,
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 180_000,
    env: e2eEnv,
    stdout: "ignore",
    stderr: "pipe",
  },
});
