import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { env, resetEnvCache } from "@/lib/env";
import { recordAccess } from "@/lib/audit/log";
import { sealCheckpoint } from "@/lib/audit/checkpoint";
import { publicKeyFileFor } from "@/lib/audit/checkpoint-key";
import { verifyAccessLog } from "@/lib/audit/verify";
import { runWitness } from "@/lib/audit/witness";
import { loadWitnessDir, readPinnedKey } from "@/lib/audit/witness-store";
import { dropAppendOnlyTriggers, lastChunkedPath, tamperDb, rehashFrom, truncateAll, truncateTo, verifyEveryWay, witnessEveryWay } from "@/lib/audit/test-tamper";
import { createTestConsoleDb } from "@/lib/test/console-db";
import verifyCommand from "@/lib/cli/commands/audit-verify";

// The attacks of issue 12, as an insider with write access to the console database would run
// them (triggers dropped, hashes recomputed from the documented format), each caught by a witness
// (audit:witness) and by audit:verify --witness-dir, naming what is wrong. Runs on SQLite, and on
// PostgreSQL with TEST_POSTGRES_URL. 25 appends with CUSTODIAN_CHECKPOINT_EVERY=10: 27 entries,
// signed tree heads at sizes 11 and 22; the witness then holds (signed 22, observed 27).

const actor = { id: null, label: "cli:test", role: "dpo" };
let cleanup: () => Promise<void>;
let url: string;
let dir: string;

beforeEach(async () => {
  process.env.CUSTODIAN_CHECKPOINT_EVERY = "10";
  const created = await createTestConsoleDb();
  cleanup = created.cleanup;
  url = created.url;
  for (let i = 0; i < 25; i++) {
    await recordAccess({ actor, action: "test.view", outcome: "ok", target: { type: "email", value: `p${i}@example.org` } });
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-witness-"));
  const first = await runWitness(db(), dir);
  expect(first).toMatchObject({ ok: true, firstRun: true, observed: { size: 27 }, latest: { size: 22 } });
});
afterEach(async () => {
  await cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
  delete process.env.CUSTODIAN_CHECKPOINT_EVERY;
});

// On SQLite, every way of reading the log (the client's queries, the file sequentially, the file
// in parallel chunks) must report the same (lib/audit/test-tamper.ts).
const witness = () => witnessEveryWay(dir);
const verifyWithWitness = async () => verifyEveryWay({ witnessed: loadWitnessDir(dir, readPinnedKey(dir)), publicKey: pinnedPem() });
const sqliteOr = (path: "chunks" | "sequential") => (env().consoleDbKind === "sqlite" ? path : null);
const pinnedPem = () => fs.readFileSync(publicKeyFileFor(env().checkpointKeyFile), "utf8");
const reasons = (r: { problems: { reason: string }[] }) => r.problems.map((p) => p.reason);
const filesIn = () => fs.readdirSync(dir).filter((f) => f.endsWith(".json")).length;

describe("witnessed access log: the attacks of issue 12", () => {
  it("an untouched, growing log stays consistent; the witness stores one record per run and pins the key", async () => {
    await recordAccess({ actor, action: "test.view", outcome: "ok" });
    await sealCheckpoint(actor);
    const r = await witness();
    expect(r).toMatchObject({ ok: true, firstRun: false, storedHeads: 2, latest: { size: 29 }, observed: { size: 29 } });
    expect(lastChunkedPath()).toBe(sqliteOr("chunks"));
    expect(filesIn()).toBe(2);
    expect(fs.readFileSync(path.join(dir, "checkpoint-ed25519.pub"), "utf8")).toBe(pinnedPem());
    const v = await verifyWithWitness();
    expect(v).toMatchObject({ ok: true, witness: { heads: 4, newestSize: 29 }, warnings: [] });
    expect(lastChunkedPath()).toBe(sqliteOr("chunks"));
  });

  it.each([
    ["to just before a checkpoint's entries (15), with the checkpoints that cover them", 15],
    ["to exactly a checkpoint (11)", 11],
    ["to entry 3", 3],
  ])("tail deleted %s, head fixed → log shrank", async (_label, keep) => {
    await dropAppendOnlyTriggers();
    await truncateTo(keep);
    const w = await witness();
    expect(w.ok).toBe(false);
    expect(reasons(w)).toContain("log shrank");
    expect(filesIn()).toBe(1); // nothing stored
    const v = await verifyWithWitness();
    expect(v.ok).toBe(false);
    expect(v.problems.map((p) => p.reason)).toContain("log shrank below a witnessed head");
  });

  it("both tables truncated → no signed tree head, log shrank; a pinned verification of the empty log fails", async () => {
    await dropAppendOnlyTriggers();
    await truncateAll();
    const w = await witness();
    expect(reasons(w)).toEqual(expect.arrayContaining(["no signed tree head", "log shrank"]));
    const v = await verifyWithWitness();
    expect(v.problems.map((p) => p.reason)).toEqual(expect.arrayContaining(["log shrank below a witnessed head", "no signed checkpoint"]));
    const pinnedOnly = await verifyAccessLog(db(), { publicKey: pinnedPem() });
    expect(pinnedOnly.firstBroken).toMatchObject({ reason: "no signed checkpoint", detail: "the log is empty" });
  });

  it("history after an early checkpoint rewritten, later checkpoints deleted, seal entries renamed, then sealed with the real key → inconsistent", async () => {
    await dropAppendOnlyTriggers();
    await tamperDb().$executeRawUnsafe(`UPDATE "AccessLogEntry" SET "purpose" = 'rewritten' WHERE "seq" > 11`);
    await tamperDb().$executeRawUnsafe(`UPDATE "AccessLogEntry" SET "action" = 'test.view' WHERE "seq" > 11 AND "action" = 'accessLog.seal'`);
    await tamperDb().$executeRawUnsafe(`DELETE FROM "AccessLogCheckpoint" WHERE "seq" > 11`);
    await rehashFrom(12);
    const resealed = await sealCheckpoint(actor); // the next ordinary seal signs the forged history
    expect(resealed.checkpoint?.seq).toBe(28);
    expect((await verifyAccessLog(db(), { publicKey: pinnedPem() })).ok).toBe(true); // without a witness: passes
    const w = await witness();
    expect(w.ok).toBe(false);
    expect(w.problems.find((p) => p.reason === "inconsistent")?.detail).toMatch(/not an extension of the head witnessed/);
    const v = await verifyWithWitness();
    expect(v.ok).toBe(false);
    expect(v.firstBroken).toMatchObject({ seq: 22, reason: "inconsistent with a witnessed head" });
  });

  it("an entry after the last checkpoint edited and rehashed → inconsistent with the observed head", async () => {
    await dropAppendOnlyTriggers();
    await tamperDb().$executeRawUnsafe(`UPDATE "AccessLogEntry" SET "actorLabel" = 'someone-else' WHERE "seq" = 25`);
    await rehashFrom(25);
    expect((await verifyAccessLog(db(), { publicKey: pinnedPem() })).ok).toBe(true); // nothing signed covers 25
    const w = await witness();
    expect(w.problems.map((p) => p.detail).join("\n")).toMatch(/entries 1\.\.27 are not the ones in the observed head/);
    expect(lastChunkedPath()).toBe(sqliteOr("chunks"));
    const v = await verifyWithWitness();
    expect(v.firstBroken).toMatchObject({ seq: 27, reason: "inconsistent with a witnessed head" });
  });

  it("the last entry (after the last checkpoint) deleted, head fixed → log shrank", async () => {
    await dropAppendOnlyTriggers();
    await truncateTo(26);
    expect(reasons(await witness())).toContain("log shrank");
    expect((await verifyWithWitness()).firstBroken).toMatchObject({ seq: 27, reason: "log shrank below a witnessed head" });
  });

  it("sealedBy is signed: changing it breaks the head's signature", async () => {
    await dropAppendOnlyTriggers();
    await tamperDb().$executeRawUnsafe(`UPDATE "AccessLogCheckpoint" SET "sealedBy" = 'dpo@example.org' WHERE "seq" = 22`);
    expect((await witness()).problems[0]).toMatchObject({ reason: "signature", detail: expect.stringMatching(/signature invalid/) });
    expect((await verifyWithWitness()).firstBroken).toMatchObject({ seq: 22, reason: "checkpoint signature invalid" });
  });

  it("a log with entries but no checkpoint fails a pinned verification", async () => {
    await dropAppendOnlyTriggers();
    await tamperDb().$executeRawUnsafe(`DELETE FROM "AccessLogCheckpoint"`);
    await tamperDb().$executeRawUnsafe(`UPDATE "AccessLogEntry" SET "action" = 'test.view' WHERE "action" = 'accessLog.seal'`);
    await rehashFrom(1);
    const r = await verifyAccessLog(db(), { publicKey: pinnedPem() });
    expect(r.firstBroken).toMatchObject({ reason: "no signed checkpoint", detail: "27 entries, none sealed" });
  });

  it("audit:verify --witness-dir exits 1 naming the problem; warns when no head was witnessed recently", async () => {
    expect(await verifyCommand.run({ values: { db: url, "witness-dir": dir }, positionals: [] })).toBe(0);
    const old = new Date(Date.now() - 48 * 3600_000).toISOString();
    const rec = JSON.parse(fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((f) => f.startsWith("witness-"))!), "utf8"));
    const stale = await verifyAccessLog(db(), { witnessed: loadWitnessDir(dir).map((h) => ({ ...h, witnessedAt: old })), maxWitnessAgeMs: 24 * 3600_000 });
    expect(stale.ok).toBe(true);
    expect(stale.warnings[0]).toMatch(/no head witnessed since .* is audit:witness still running/);
    expect(rec.sth.size).toBe(22);
    await dropAppendOnlyTriggers();
    await truncateTo(11);
    expect(await verifyCommand.run({ values: { db: url, "witness-dir": dir }, positionals: [] })).toBe(1);
  });
});

describe("publication of tree heads on every seal", () => {
  it("CUSTODIAN_STH_PUBLISH_DIR gets one file per committed head; the directory works as a witness directory", async () => {
    const pub = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-publish-"));
    process.env.CUSTODIAN_STH_PUBLISH_DIR = pub;
    resetEnvCache();
    try {
      for (let i = 0; i < 12; i++) await recordAccess({ actor, action: "test.view", outcome: "ok" }); // auto-seal at 33
      await sealCheckpoint(actor); // manual seal at 41
      const files = fs.readdirSync(pub).sort();
      expect(files).toEqual([expect.stringMatching(/^sth-000000000033-.*\.json$/), expect.stringMatching(/^sth-000000000041-.*\.json$/)]);
      expect((await verifyAccessLog(db(), { witnessed: loadWitnessDir(pub), publicKey: pinnedPem() })).ok).toBe(true);
      await dropAppendOnlyTriggers();
      await truncateTo(35);
      const v = await verifyAccessLog(db(), { witnessed: loadWitnessDir(pub), publicKey: pinnedPem() });
      expect(v.firstBroken).toMatchObject({ seq: 36, reason: "log shrank below a witnessed head" });
    } finally {
      delete process.env.CUSTODIAN_STH_PUBLISH_DIR;
      resetEnvCache();
      fs.rmSync(pub, { recursive: true, force: true });
    }
  });
});

describe("storage refuses rewrites (triggers in place)", () => {
  it("re-inserting or replacing an entry or a checkpoint is refused", async () => {
    const e5 = await db().accessLogEntry.findUniqueOrThrow({ where: { seq: 5 } });
    const cols = `"seq","at","actorLabel","actorRole","action","outcome","prevHash","hash"`;
    const vals = (seq: number, hash: string) => `${seq}, '2026-01-01T00:00:00.000Z', 'x', 'dpo', 'test.forged', 'ok', '${e5.prevHash}', '${hash}'`;
    if (env().consoleDbKind === "sqlite") {
      await expect(tamperDb().$executeRawUnsafe(`INSERT OR REPLACE INTO "AccessLogEntry" (${cols}) VALUES (${vals(5, "a".repeat(64))})`)).rejects.toThrow(/only the next seq/);
      await expect(tamperDb().$executeRawUnsafe(`REPLACE INTO "AccessLogCheckpoint" ("id","seq","hash","sealedAt","keyId","publicKey","signature","sealedBy") SELECT "id","seq","hash","sealedAt","keyId","publicKey",'forged',"sealedBy" FROM "AccessLogCheckpoint" WHERE "seq" = 11`)).rejects.toThrow(/append-only/);
    } else {
      await expect(tamperDb().$executeRawUnsafe(`INSERT INTO "AccessLogEntry" (${cols}) VALUES (${vals(5, "a".repeat(64))}) ON CONFLICT ("seq") DO UPDATE SET "action" = 'test.forged'`)).rejects.toThrow(/append-only/);
    }
    // A made-up future seq is refused as well: only the head's seq may be inserted.
    await expect(tamperDb().$executeRawUnsafe(`INSERT INTO "AccessLogEntry" (${cols}) VALUES (${vals(99, "b".repeat(64))})`)).rejects.toThrow(/only the next seq/);
    expect((await db().accessLogEntry.findUniqueOrThrow({ where: { seq: 5 } })).hash).toBe(e5.hash);
    expect((await verifyAccessLog(db(), { publicKey: pinnedPem() })).ok).toBe(true);
  });
});

describe("the console's own connection cannot rewrite the log", () => {
  it("SQLite: triggers refuse UPDATE and DELETE; PostgreSQL: no UPDATE, DELETE, TRUNCATE or DROP TRIGGER for the app role, and the owner still meets the triggers", async () => {
    if (env().consoleDbKind === "sqlite") {
      for (const sql of [`UPDATE "AccessLogEntry" SET "action" = 'x' WHERE "seq" = 1`, `DELETE FROM "AccessLogCheckpoint"`]) {
        await expect(db().$executeRawUnsafe(sql), sql).rejects.toThrow(/append-only/);
      }
      expect((await runWitness(db(), dir)).ok).toBe(true);
      return;
    }
    const who = await db().$queryRawUnsafe<{ u: string }[]>(`SELECT current_user AS u`);
    expect(who[0].u).toBe(process.env.TEST_PG_APP_ROLE ?? "custodian_app");
    for (const sql of [
      `UPDATE "AccessLogEntry" SET "action" = 'x' WHERE "seq" = 1`,
      `DELETE FROM "AccessLogCheckpoint"`,
      `TRUNCATE "AccessLogEntry"`,
      `DELETE FROM "AccessLogTreeNode"`,
    ]) await expect(db().$executeRawUnsafe(sql), sql).rejects.toThrow(/permission denied/);
    await expect(db().$executeRawUnsafe(`DROP TRIGGER "AccessLogEntry_append_only" ON "AccessLogEntry"`)).rejects.toThrow(/must be (the )?owner/);
    await expect(tamperDb().$executeRawUnsafe(`UPDATE "AccessLogEntry" SET "action" = 'x' WHERE "seq" = 1`)).rejects.toThrow(/append-only/);
    expect((await runWitness(db(), dir)).ok).toBe(true);
  });
});
