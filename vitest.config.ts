import { defineConfig } from "vitest/config";

// Unit and integration tests. The console database under test is SQLite by default and
// PostgreSQL when TEST_POSTGRES_URL is set (scripts/test-all.sh runs the suite both ways).
export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    environment: "node",
    pool: "forks",
    include: ["lib/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: {
      NEXTAUTH_SECRET: "test-nextauth-secret-0123456789abcdef0123456789",
      CUSTODIAN_MASTER_KEY: "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
      CUSTODIAN_DATA_DIR: ".tmp/test-data",
      // Log paths in tests live in the repository's fixtures and in temporary directories.
      CUSTODIAN_LOG_ROOTS: "/var/log:/tmp:.",
    },
  },
});
