import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type crypto from "node:crypto";
import { expect } from "vitest";
import { createConsoleDb, db, sqlitePathFromUrl, type ConsoleDb } from "@/lib/db";
import { env } from "@/lib/env";
import { entryHash } from "@/lib/audit/chain";
import { verifyAccessLog, type VerifyOptions, type VerifyResult } from "@/lib/audit/verify";
import { runWitness, type WitnessReport } from "@/lib/audit/witness";

// Test-only helpers that attack the access log "behind the application's back", as someone with
// raw database access would: drop the append-only triggers, then edit rows directly. On
// PostgreSQL the console's own role cannot do that (INSERT/SELECT only), so the attacks run as the
// tables' owner (CONSOLE_OWNER_DATABASE_URL, set by lib/test/console-db.ts).

let owner: { url: string; client: ConsoleDb } | null = null;

/** A client with the owner's rights (the console's own client on SQLite). */
export function tamperDb(): ConsoleDb {
  const url = process.env.CONSOLE_OWNER_DATABASE_URL;
  if (env().consoleDbKind === "sqlite" || !url || url === process.env.CONSOLE_DATABASE_URL) return db();
  if (owner?.url !== url) {
    void owner?.client.$disconnect();
    owner = { url, client: createConsoleDb(url) };
  }
  return owner.client;
}

export async function dropAppendOnlyTriggers(): Promise<void> {
  if (env().consoleDbKind === "sqlite") {
    for (const t of [
      "AccessLogEntry_no_update", "AccessLogEntry_no_delete", "AccessLogCheckpoint_no_update", "AccessLogCheckpoint_no_delete",
      "AccessLogEntry_next_seq_only", "AccessLogCheckpoint_next_only", "AccessLogTreeNode_no_update", "AccessLogTreeNode_no_delete",
    ]) {
      await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "${t}"`);
    }
  } else {
    await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AccessLogEntry_append_only" ON "AccessLogEntry"`);
    await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AccessLogEntry_no_truncate" ON "AccessLogEntry"`);
    await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AccessLogCheckpoint_append_only" ON "AccessLogCheckpoint"`);
    await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AccessLogCheckpoint_no_truncate" ON "AccessLogCheckpoint"`);
    await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AccessLogEntry_next_seq_only" ON "AccessLogEntry"`);
    await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AccessLogCheckpoint_next_only" ON "AccessLogCheckpoint"`);
    await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AccessLogTreeNode_append_only" ON "AccessLogTreeNode"`);
    await tamperDb().$executeRawUnsafe(`DROP TRIGGER IF EXISTS "AccessLogTreeNode_no_truncate" ON "AccessLogTreeNode"`);
  }
}

/** Recomputes hash and prevHash from `fromSeq` to the end and moves the head: a keyless rewrite. */
export async function rehashFrom(fromSeq: number): Promise<void> {
  const rows = await tamperDb().accessLogEntry.findMany({ where: { seq: { gte: fromSeq - 1 } }, orderBy: { seq: "asc" } });
  let prevHash = rows[0].seq === fromSeq - 1 ? rows[0].hash : "0".repeat(64);
  for (const r of rows) {
    if (r.seq < fromSeq) continue;
    const hash = entryHash({ ...r, prevHash });
    await tamperDb().accessLogEntry.update({ where: { seq: r.seq }, data: { prevHash, hash } });
    prevHash = hash;
  }
  const last = rows[rows.length - 1];
  await tamperDb().accessLogHead.update({ where: { id: 1 }, data: { seq: last.seq, hash: prevHash } });
}

/** Deletes entries after `keepSeq` and every checkpoint beyond it, and moves the head back. */
export async function truncateTo(keepSeq: number): Promise<void> {
  await tamperDb().$executeRawUnsafe(`DELETE FROM "AccessLogCheckpoint" WHERE "seq" > ${keepSeq}`);
  await tamperDb().$executeRawUnsafe(`DELETE FROM "AccessLogEntry" WHERE "seq" > ${keepSeq}`);
  const last = await tamperDb().accessLogEntry.findUnique({ where: { seq: keepSeq } });
  await tamperDb().accessLogHead.update({ where: { id: 1 }, data: { seq: keepSeq, hash: last?.hash ?? "0".repeat(64) } });
}

/** TRUNCATE (PostgreSQL) or DELETE FROM (SQLite) of both log tables, head back to genesis. */
export async function truncateAll(): Promise<void> {
  const kw = env().consoleDbKind === "sqlite" ? "DELETE FROM" : "TRUNCATE";
  await tamperDb().$executeRawUnsafe(`${kw} "AccessLogCheckpoint"`);
  await tamperDb().$executeRawUnsafe(`${kw} "AccessLogEntry"`);
  await tamperDb().accessLogHead.update({ where: { id: 1 }, data: { seq: 0, hash: "0".repeat(64) } });
}

/** The console database's file when it is SQLite (what audit:verify's fast path reads). */
export function consoleSqliteFile(): string | undefined {
  const url = env().CONSOLE_DATABASE_URL;
  return url.startsWith("file:") ? sqlitePathFromUrl(url) : undefined;
}

// The ways audit:verify and audit:witness can read a SQLite log: sequentially, in chunks in this
// thread, and in chunks on worker threads; the small chunks put chunk boundaries all over the
// 27-entry logs of the tests.
const SQLITE_WAYS = [
  { name: "SQLite file, sequential", opts: { workers: -1 } },
  { name: "SQLite file, chunks of 4 in this thread", opts: { workers: 0, chunkSize: 4 } },
  { name: "SQLite file, chunks of 8 on 2 worker threads", opts: { workers: 2, chunkSize: 8 } },
  { name: "SQLite file, chunks of 1 on 1 worker thread", opts: { workers: 1, chunkSize: 1 } },
];

/**
 * verifyAccessLog through the client's paged reads and, on SQLite, through every way of reading
 * the file: each must give the same result (but its duration), which is returned.
 */
export async function verifyEveryWay(opts: VerifyOptions = {}): Promise<VerifyResult> {
  const general = await verifyAccessLog(db(), { ...opts, sqliteFile: undefined });
  const file = consoleSqliteFile();
  if (file) {
    lastPaths = [];
    for (const way of SQLITE_WAYS) {
      const r = await verifyAccessLog(db(), { ...opts, ...way.opts, sqliteFile: file, onPath: (p) => lastPaths.push(p) });
      expect({ ...r, durationMs: 0 }, way.name).toEqual({ ...general, durationMs: 0 });
    }
  }
  return general;
}

let lastPaths: ("chunks" | "sequential")[] = [];
/**
 * How the chunked ways of the last verifyEveryWay / witnessEveryWay read the file: "chunks" when
 * they used the fast path, "sequential" when they fell back to it; null on PostgreSQL.
 */
export function lastChunkedPath(): "chunks" | "sequential" | null {
  if (!consoleSqliteFile()) return null;
  const chunked = lastPaths.slice(1); // the first way is the sequential one by choice
  expect(new Set(chunked).size, `the chunked ways disagree: ${chunked.join(", ")}`).toBe(1);
  return chunked[0];
}

/**
 * runWitness on `dir`; on SQLite first on copies of `dir` through the client's reads and every way
 * of reading the file, each of which must report the same (but the file it stored).
 */
export async function witnessEveryWay(dir: string, key?: crypto.KeyObject): Promise<WitnessReport> {
  const file = consoleSqliteFile();
  if (!file) return runWitness(db(), dir, key);
  const comparable = (r: WitnessReport) => ({ ...r, stored: r.stored !== null, pinnedKeyFile: path.basename(r.pinnedKeyFile) });
  const ways = [{ name: "client reads", file: undefined, opts: {} }, ...SQLITE_WAYS.map((w) => ({ ...w, file }))];
  const reports = [];
  const paths: ("chunks" | "sequential")[] = [];
  for (const way of ways) {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-witness-copy-"));
    try {
      fs.cpSync(dir, copy, { recursive: true });
      reports.push({ name: way.name, r: comparable(await runWitness(db(), copy, key, way.file, { ...way.opts, onPath: (p) => paths.push(p) })) });
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  }
  for (const { name, r } of reports.slice(1)) expect(r, name).toEqual(reports[0].r);
  lastPaths = paths;
  return runWitness(db(), dir, key, file, { workers: 2, chunkSize: 8 });
}
