import { defineConfig } from "vitest/config";
import base from "./vitest.config";

// The live-Sydent suite: `*.live.test.ts` files run against two real, replicating Sydent 2.7.0
// servers started by the kit in ../shared/tools/sydent-live (lib/test/sydent-live.ts). One file at
// a time: every file starts its own pair of servers on the same ports.
// The main config's projects (pure / db) are left out: the live suite is one plain project.
const { projects: _projects, ...baseTest } = base.test ?? {};

export default defineConfig({
  resolve: base.resolve,
  test: {
    ...baseTest,
    include: ["lib/**/*.live.test.ts"],
    exclude: ["**/node_modules/**"],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
