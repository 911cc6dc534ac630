import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { env, resetEnvCache } from "@/lib/env";
import { recordAccess } from "@/lib/audit/log";
import { sealCheckpoint } from "@/lib/audit/checkpoint";
import { verifyAccessLog } from "@/lib/audit/verify";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Append-only triggers, and concurrency: many appends and seals racing keep the chain and its
// checkpoints valid (run on SQLite and, with TEST_POSTGRES_URL, PostgreSQL).

beforeAll(() => {
  process.env.CUSTODIAN_CHECKPOINT_EVERY = "7";
});
const ctx = useTestConsoleDb();
afterAll(() => {
  delete process.env.CUSTODIAN_CHECKPOINT_EVERY;
  resetEnvCache();
});
const actor = { id: null, label: "cli:test", role: "dpo" };

describe("access-log checkpoints under concurrency", () => {
  it("60 concurrent appends and 5 concurrent seals leave a valid chain with valid checkpoints", async () => {
    await Promise.all([
      ...Array.from({ length: 60 }, (_, i) =>
        recordAccess({ actor, action: "test.concurrent", outcome: "ok", target: { type: "mxid", value: `@u${i}:example.org` } }),
      ),
      ...Array.from({ length: 5 }, () => sealCheckpoint(actor)),
    ]);
    const r = await verifyAccessLog(db(), { pageSize: 16 });
    expect(r.firstBroken).toBeNull();
    expect(r.ok).toBe(true);
    const seals = await db().accessLogEntry.count({ where: { action: "accessLog.seal" } });
    expect(r.entries).toBe(60 + seals);
    expect(r.checkpoints).toBe(seals);
    // auto-seal every 7: at least floor(60 / 7) seals happened besides the manual ones
    expect(seals).toBeGreaterThanOrEqual(8);
    const cps = await db().accessLogCheckpoint.findMany({ orderBy: { id: "asc" } });
    for (let i = 1; i < cps.length; i++) expect(cps[i].seq).toBeGreaterThan(cps[i - 1].seq);
    expect(ctx.current.kind).toMatch(/sqlite|postgresql/);
  });

  it("the database refuses UPDATE and DELETE on entries and checkpoints (and TRUNCATE on PostgreSQL)", async () => {
    const c = db();
    await expect(c.$executeRawUnsafe(`UPDATE "AccessLogEntry" SET "purpose" = 'x' WHERE "seq" = 2`)).rejects.toThrow(/append-only|permission denied/);
    await expect(c.$executeRawUnsafe(`DELETE FROM "AccessLogEntry" WHERE "seq" = 2`)).rejects.toThrow(/append-only|permission denied/);
    await expect(c.$executeRawUnsafe(`UPDATE "AccessLogCheckpoint" SET "signature" = 'x'`)).rejects.toThrow(/append-only|permission denied/);
    await expect(c.$executeRawUnsafe(`DELETE FROM "AccessLogCheckpoint"`)).rejects.toThrow(/append-only|permission denied/);
    if (ctx.current.kind === "postgresql") {
      await expect(c.$executeRawUnsafe(`TRUNCATE "AccessLogEntry"`)).rejects.toThrow(/append-only|permission denied/);
      await expect(c.$executeRawUnsafe(`TRUNCATE "AccessLogCheckpoint"`)).rejects.toThrow(/append-only|permission denied/);
    }
    expect((await verifyAccessLog(c)).ok).toBe(true);
  });
});

describe("the sealing key is created only for the log's first tree head", () => {
  it("once a head exists, a missing key file is never replaced: seals refuse naming the file, auto-seal skips, appends still commit", async () => {
    await recordAccess({ actor, action: "test.view", outcome: "ok" });
    await sealCheckpoint(actor);
    const file = env().checkpointKeyFile;
    const moved = `${file}.away`;
    fs.renameSync(file, moved); // a misconfigured host, or a process away from the console (a witness)
    try {
      await expect(sealCheckpoint(actor)).rejects.toThrow(`the checkpoint key file ${file} does not exist`);
      const before = await db().accessLogCheckpoint.count();
      for (let i = 0; i < 8; i++) await recordAccess({ actor, action: "test.view", outcome: "ok" }); // past CUSTODIAN_CHECKPOINT_EVERY
      expect(await db().accessLogCheckpoint.count()).toBe(before);
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      fs.renameSync(moved, file);
    }
    expect((await sealCheckpoint(actor)).sealed).toBe(true);
    expect((await verifyAccessLog(db())).ok).toBe(true);
  });
});
