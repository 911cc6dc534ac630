import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { migrateConsoleDb } from "@/lib/cli/migrate-runner";
import { ensureLoginRole, grantConsoleRole, withPg } from "@/lib/cli/pg-roles";
import { resetDb } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";

// Gives a test file its own, freshly migrated console database: a temporary SQLite file, or a
// new PostgreSQL database when TEST_POSTGRES_URL (an admin URL, e.g. .../postgres) is set.
// The shared db() client is pointed at it through CONSOLE_DATABASE_URL. On PostgreSQL, as in
// production, the database is migrated by the owner (the admin URL's role) and the console runs as
// TEST_PG_APP_ROLE (default custodian_app, created if missing): INSERT/SELECT only on the log
// tables. CONSOLE_OWNER_DATABASE_URL names the owner's URL, for tests that attack the log
// (lib/audit/test-tamper.ts).

export const TEST_PG_APP_ROLE = process.env.TEST_PG_APP_ROLE ?? "custodian_app";

export type TestConsoleDb = { url: string; kind: "sqlite" | "postgresql"; dataDir: string; ownerUrl: string };

async function createPgDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `custodian_test_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function createTestConsoleDb(): Promise<TestConsoleDb & { cleanup: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-test-"));
  process.env.CUSTODIAN_DATA_DIR = dataDir;
  let url: string;
  let appUrl: string | null = null;
  let drop = async () => {};
  const adminUrl = process.env.TEST_POSTGRES_URL;
  if (adminUrl) {
    const created = await createPgDatabase(adminUrl);
    url = created.url;
    drop = created.drop;
    const u = new URL(url);
    u.username = TEST_PG_APP_ROLE;
    u.password = TEST_PG_APP_ROLE;
    appUrl = u.toString();
  } else {
    url = `file:${path.join(dataDir, "console.db")}`;
  }
  await resetDb();
  await migrateConsoleDb(url);
  if (appUrl) {
    await withPg(url, async (c) => {
      await ensureLoginRole(c, TEST_PG_APP_ROLE, TEST_PG_APP_ROLE);
      await grantConsoleRole(c, TEST_PG_APP_ROLE);
    });
  }
  const ownerUrl = url;
  url = appUrl ?? url;
  process.env.CONSOLE_DATABASE_URL = url;
  process.env.CONSOLE_OWNER_DATABASE_URL = ownerUrl;
  resetEnvCache();
  await resetDb();
  return {
    url,
    ownerUrl,
    kind: adminUrl ? "postgresql" : "sqlite",
    dataDir,
    cleanup: async () => {
      await resetDb();
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** beforeAll/afterAll wrapper: `const ctx = useTestConsoleDb();` then `ctx.current` in tests. */
export function useTestConsoleDb(): { current: TestConsoleDb } {
  const holder = {} as { current: TestConsoleDb };
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const created = await createTestConsoleDb();
    cleanup = created.cleanup;
    holder.current = created;
  });
  afterAll(async () => {
    await cleanup?.();
  });
  return holder;
}
