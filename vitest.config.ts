import { defineConfig } from "vitest/config";
import { consoleDbTestFiles } from "./lib/test/projects.mjs";

// Unit and integration tests, in two projects (lib/test/projects.mjs decides which file is which):
// - "db": files that use the console-database helper (lib/test/console-db.ts). They run on
//   SQLite by default and on PostgreSQL when TEST_POSTGRES_URL is set; scripts/test-all.sh runs
//   this project a second time on PostgreSQL (`--project db`).
// - "pure": every other test file. They never touch the console database, so they run once.
// `*.live.test.ts` files need a running Sydent and belong to the separate live suite.
const LIVE = "lib/**/*.live.test.ts";
const dbFiles = consoleDbTestFiles("lib");

export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    environment: "node",
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: {
      NEXTAUTH_SECRET: "test-nextauth-secret-0123456789abcdef0123456789",
      CUSTODIAN_MASTER_KEY: "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
      CUSTODIAN_DATA_DIR: ".tmp/test-data",
      // Log paths in tests live in the repository's fixtures and in temporary directories.
      CUSTODIAN_LOG_ROOTS: "/var/log:/tmp:.",
    },
    projects: [
      { extends: true, test: { name: "pure", include: ["lib/**/*.test.ts"], exclude: [LIVE, ...dbFiles] } },
      { extends: true, test: { name: "db", include: dbFiles, exclude: [LIVE] } },
    ],
  },
});
