import crypto from "node:crypto";
import fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { entryHash } from "@/lib/audit/chain";
import { recordAccess } from "@/lib/audit/log";
import { checkpointMessage, sealCheckpoint } from "@/lib/audit/checkpoint";
import { keyIdOf, publicKeyFileFor, rawPublicKey } from "@/lib/audit/checkpoint-key";
import { verifyAccessLog } from "@/lib/audit/verify";
import { consoleSqliteFile, dropAppendOnlyTriggers, lastChunkedPath, tamperDb, rehashFrom, verifyEveryWay } from "@/lib/audit/test-tamper";
import { createTestConsoleDb } from "@/lib/test/console-db";

// Tamper tests: entries are written through the application, then changed behind its back with
// the append-only triggers dropped; verification must name the first broken seq and the reason.
// With CUSTODIAN_CHECKPOINT_EVERY=10 and 25 appends the log holds 27 entries: auto-seal entries
// (and checkpoints) at seq 11 and 22.

const actor = { id: null, label: "cli:test", role: "dpo" };
let cleanup: () => Promise<void>;

beforeEach(async () => {
  process.env.CUSTODIAN_CHECKPOINT_EVERY = "10";
  const created = await createTestConsoleDb();
  cleanup = created.cleanup;
  for (let i = 0; i < 25; i++) {
    await recordAccess({ actor, action: "test.view", outcome: "ok", target: { type: "email", value: `p${i}@example.org` } });
  }
});
afterEach(async () => {
  await cleanup();
  delete process.env.CUSTODIAN_CHECKPOINT_EVERY;
});

// Small pages exercise paging; on SQLite the file's fast paths must give the very same result.
const verify = (publicKey?: string) => verifyEveryWay({ publicKey, pageSize: 4 });
const sqliteOr = (path: "chunks" | "sequential") => (env().consoleDbKind === "sqlite" ? path : null);

describe("access-log verification", () => {
  it("an untouched log verifies, with auto-sealed checkpoints at 11 and 22", async () => {
    const r = await verify(fs.readFileSync(publicKeyFileFor(env().checkpointKeyFile), "utf8"));
    expect(r).toMatchObject({ ok: true, entries: 27, checkpoints: 2, firstBroken: null, problemCount: 0 });
    expect(lastChunkedPath()).toBe(sqliteOr("chunks"));
    expect(r.lastCheckpoint?.seq).toBe(22);
    expect(r.keys).toHaveLength(1);
    const seals = await db().accessLogEntry.findMany({ where: { action: "accessLog.seal" }, select: { seq: true } });
    expect(seals.map((s) => s.seq)).toEqual([11, 22]);
  });

  it("key file is 0600 in a 0700 directory, keyId is sha256(raw public key)[:16]", async () => {
    const file = env().checkpointKeyFile;
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(file.replace(/\/[^/]+$/, "")).mode & 0o777).toBe(0o700);
    const pub = crypto.createPublicKey(fs.readFileSync(publicKeyFileFor(file), "utf8"));
    const cp = await db().accessLogCheckpoint.findFirstOrThrow();
    expect(cp.keyId).toBe(keyIdOf(rawPublicKey(pub)));
    expect(crypto.verify(null, checkpointMessage(cp), pub, Buffer.from(cp.signature, "base64"))).toBe(true);
  });

  it("edited field → hash mismatch at that seq", async () => {
    await dropAppendOnlyTriggers();
    await tamperDb().$executeRawUnsafe(`UPDATE "AccessLogEntry" SET "actorLabel" = 'someone-else' WHERE "seq" = 5`);
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({ seq: 5, reason: "hash mismatch" });
    expect(r.problemCount).toBe(1);
    expect(lastChunkedPath()).toBe(sqliteOr("chunks"));
  });

  it("entry deleted in the middle → gap at that seq", async () => {
    await dropAppendOnlyTriggers();
    await tamperDb().$executeRawUnsafe(`DELETE FROM "AccessLogEntry" WHERE "seq" = 7`);
    expect((await verify()).firstBroken).toMatchObject({ seq: 7, reason: "gap: seq 7 missing" });
    expect(lastChunkedPath()).toBe(sqliteOr("sequential")); // not seq 1..n: the fast path steps aside
  });

  it("last entry deleted → head mismatch; tail deleted with the head moved back → checkpoint entry missing", async () => {
    await dropAppendOnlyTriggers();
    await tamperDb().$executeRawUnsafe(`DELETE FROM "AccessLogEntry" WHERE "seq" = 27`);
    expect((await verify()).firstBroken).toMatchObject({ seq: 27, reason: "head mismatch" });

    await tamperDb().$executeRawUnsafe(`DELETE FROM "AccessLogEntry" WHERE "seq" >= 22`);
    const e21 = await db().accessLogEntry.findUniqueOrThrow({ where: { seq: 21 } });
    await tamperDb().accessLogHead.update({ where: { id: 1 }, data: { seq: 21, hash: e21.hash } });
    expect((await verify()).firstBroken).toMatchObject({ seq: 22, reason: "checkpoint entry missing" });
  });

  it("forged entry appended without moving the head → head mismatch at its seq", async () => {
    await dropAppendOnlyTriggers();
    const last = await db().accessLogEntry.findUniqueOrThrow({ where: { seq: 27 } });
    const forged = { ...last, seq: 28, action: "test.forged", prevHash: last.hash };
    await tamperDb().accessLogEntry.create({ data: { ...forged, hash: entryHash(forged) } });
    expect((await verify()).firstBroken).toMatchObject({ seq: 28, reason: "head mismatch" });
  });

  it("forged entry with a made-up hash → hash mismatch", async () => {
    await dropAppendOnlyTriggers();
    const last = await db().accessLogEntry.findUniqueOrThrow({ where: { seq: 27 } });
    await tamperDb().accessLogEntry.create({ data: { ...last, seq: 28, prevHash: last.hash, hash: "f".repeat(64) } });
    await tamperDb().accessLogHead.update({ where: { id: 1 }, data: { seq: 28, hash: "f".repeat(64) } });
    expect((await verify()).firstBroken).toMatchObject({ seq: 28, reason: "hash mismatch" });
  });

  it("known limit: a consistent forged tail after the last checkpoint passes until the next seal", async () => {
    // Nothing signed covers seq > 22 yet, so a keyless writer can extend the chain undetectably;
    // this is why auto-sealing runs every CUSTODIAN_CHECKPOINT_EVERY entries (and why witnesses
    // store the observed head: lib/audit/witness.test.ts).
    await dropAppendOnlyTriggers();
    const last = await db().accessLogEntry.findUniqueOrThrow({ where: { seq: 27 } });
    const forged = { ...last, seq: 28, action: "test.forged", prevHash: last.hash };
    const hash = entryHash(forged);
    await tamperDb().accessLogEntry.create({ data: { ...forged, hash } });
    await tamperDb().accessLogHead.update({ where: { id: 1 }, data: { seq: 28, hash } });
    const r = await verify();
    expect(r.ok).toBe(true);
    expect(r.head?.seq).toBe(28);
    expect(r.lastCheckpoint?.seq).toBe(22);
  });

  it("suffix edited and rehashed without the key → checkpoint hash mismatch at the next checkpoint", async () => {
    await dropAppendOnlyTriggers();
    await tamperDb().$executeRawUnsafe(`UPDATE "AccessLogEntry" SET "purpose" = 'rewritten' WHERE "seq" = 15`);
    await rehashFrom(15);
    const r = await verify();
    expect(r.firstBroken).toMatchObject({ seq: 22, reason: "checkpoint hash mismatch" });
    expect(r.lastCheckpoint?.seq).toBe(11);
    expect(r.problemCount).toBe(1);
    expect(lastChunkedPath()).toBe(sqliteOr("chunks"));
  });

  it("suffix rewritten and its checkpoint row deleted → seal entry without checkpoint", async () => {
    await dropAppendOnlyTriggers();
    await tamperDb().$executeRawUnsafe(`DELETE FROM "AccessLogEntry" WHERE "seq" = 15`);
    await tamperDb().$executeRawUnsafe(`UPDATE "AccessLogEntry" SET "seq" = "seq" - 1 WHERE "seq" > 15`);
    await rehashFrom(15);
    await tamperDb().$executeRawUnsafe(`DELETE FROM "AccessLogCheckpoint" WHERE "seq" = 22`);
    expect((await verify()).firstBroken).toMatchObject({ seq: 21, reason: "seal entry without checkpoint" });
  });

  it("checkpoint signature tampered → checkpoint signature invalid", async () => {
    await dropAppendOnlyTriggers();
    const cp = await db().accessLogCheckpoint.findFirstOrThrow({ where: { seq: 11 } });
    const sig = Buffer.from(cp.signature, "base64");
    sig[0] ^= 1;
    await tamperDb().accessLogCheckpoint.update({ where: { id: cp.id }, data: { signature: sig.toString("base64") } });
    expect((await verify()).firstBroken).toMatchObject({ seq: 11, reason: "checkpoint signature invalid" });
    expect(lastChunkedPath()).toBe(sqliteOr("chunks"));
  });

  it("suffix re-sealed with the attacker's own key → passes unpinned (key listed), fails pinned", async () => {
    await dropAppendOnlyTriggers();
    const pinned = fs.readFileSync(publicKeyFileFor(env().checkpointKeyFile), "utf8");
    await tamperDb().$executeRawUnsafe(`UPDATE "AccessLogEntry" SET "purpose" = 'rewritten' WHERE "seq" = 15`);
    await rehashFrom(15);
    const e22 = await db().accessLogEntry.findUniqueOrThrow({ where: { seq: 22 } });
    const evil = crypto.generateKeyPairSync("ed25519");
    const raw = rawPublicKey(evil.publicKey);
    const sealedAt = new Date();
    const signature = crypto.sign(null, checkpointMessage({ seq: 22, hash: e22.hash, sealedAt }), evil.privateKey).toString("base64");
    await tamperDb().$executeRawUnsafe(`DELETE FROM "AccessLogCheckpoint" WHERE "seq" = 22`);
    await tamperDb().accessLogCheckpoint.create({
      data: { seq: 22, hash: e22.hash, sealedAt, keyId: keyIdOf(raw), publicKey: raw.toString("base64"), signature, sealedBy: "system:auto-seal" },
    });
    const unpinned = await verify();
    expect(unpinned.ok).toBe(true);
    expect(unpinned.keys).toHaveLength(2);
    expect(unpinned.keys.map((k) => k.keyId)).toContain(keyIdOf(raw));
    const r = await verify(pinned);
    expect(r.firstBroken).toMatchObject({ seq: 22, reason: "checkpoint key not pinned" });
    expect(r.lastCheckpoint?.seq).toBe(11);
  });

  it("a timestamp stored in another form still verifies; changed, it is a hash mismatch at its seq (SQLite: left to the reference serialiser)", async () => {
    await dropAppendOnlyTriggers();
    const e8 = await db().accessLogEntry.findUniqueOrThrow({ where: { seq: 8 } });
    const sqlite = env().consoleDbKind === "sqlite";
    // The same instant as unix milliseconds and as ISO text with "Z" (SQLite), or unchanged (PostgreSQL).
    if (sqlite) {
      await tamperDb().$executeRawUnsafe(`UPDATE "AccessLogEntry" SET "at" = ${e8.at.getTime()} WHERE "seq" = 8`);
      await tamperDb().$executeRawUnsafe(`UPDATE "AccessLogEntry" SET "at" = '${(await db().accessLogEntry.findUniqueOrThrow({ where: { seq: 9 } })).at.toISOString()}' WHERE "seq" = 9`);
    }
    const ok = await verify();
    expect(ok).toMatchObject({ ok: true, entries: 27 });
    expect(lastChunkedPath()).toBe(sqliteOr("chunks"));
    const later = new Date(e8.at.getTime() + 86_400_000); // a day off: not any entry's own time
    await tamperDb().$executeRawUnsafe(`UPDATE "AccessLogEntry" SET "at" = '${later.toISOString()}' WHERE "seq" = 9`);
    const r = await verify();
    expect(r.firstBroken).toMatchObject({ seq: 9, reason: "hash mismatch" });
    expect(r.problemCount).toBe(1);
    expect(lastChunkedPath()).toBe(sqliteOr("chunks"));
  });

  it("a value the fast path does not handle (SQLite: a BLOB in a text column) is still caught: the file is read sequentially", async () => {
    await dropAppendOnlyTriggers();
    if (env().consoleDbKind !== "sqlite") {
      // PostgreSQL text cannot hold bytes; the nearest edit is an ordinary one, read by the client.
      await tamperDb().$executeRawUnsafe(`UPDATE "AccessLogEntry" SET "details" = '{ }' WHERE "seq" = 12`);
      expect((await verify()).firstBroken).toMatchObject({ seq: 12, reason: "hash mismatch" });
      return;
    }
    await tamperDb().$executeRawUnsafe(`UPDATE "AccessLogEntry" SET "details" = X'7B7D' WHERE "seq" = 12`);
    // Prisma cannot read a BLOB from a String column (the client path fails as it always did); every way of reading the file agrees.
    await expect(verifyAccessLog(db(), {})).rejects.toThrow();
    const file = consoleSqliteFile()!;
    const paths: string[] = [];
    const [seqR, ...chunked] = await Promise.all([
      verifyAccessLog(db(), { sqliteFile: file, workers: -1 }),
      verifyAccessLog(db(), { sqliteFile: file, workers: 0, chunkSize: 4, onPath: (p) => paths.push(p) }),
      verifyAccessLog(db(), { sqliteFile: file, workers: 2, chunkSize: 8, onPath: (p) => paths.push(p) }),
    ]);
    expect(seqR.firstBroken).toMatchObject({ seq: 12, reason: "hash mismatch" });
    expect(seqR.problemCount).toBe(1);
    for (const r of chunked) expect({ ...r, durationMs: 0 }).toEqual({ ...seqR, durationMs: 0 });
    expect(paths).toEqual(["sequential", "sequential"]);
  });

  it("sealing is a no-op when nothing is new, and seals the seal entry itself otherwise", async () => {
    const first = await sealCheckpoint(actor);
    expect(first).toMatchObject({ sealed: true, checkpoint: { seq: 28 } });
    const again = await sealCheckpoint(actor);
    expect(again.sealed).toBe(false);
    expect(again.checkpoint?.seq).toBe(28);
    const r = await verify();
    expect(r).toMatchObject({ ok: true, entries: 28, checkpoints: 3 });
  });
});
