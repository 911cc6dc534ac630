import { byLowerAddress } from "@/lib/sydent/lower-address";
import type Database from "better-sqlite3";
import { casefold } from "@/lib/sydent/normalise";
import { chunks, placeholders } from "@/lib/subjects/search-scan";
import { mergeSnapshots, openWriteDb, withRetry, type OpOptions, type Snapshot } from "@/lib/erasure/ops-db";
import type { ThreepidTarget } from "@/lib/erasure/ops";

// Shared pieces of lib/erasure/ops.ts: the op runner (locate, record, then short write
// transactions), chunking, and Sydent's unbind (tombstone + delete global rows) in a transaction.

/** Rows per write transaction: each BEGIN IMMEDIATE ... COMMIT stays short (well under 50 ms). */
export const WRITE_CHUNK = 500;

export const spellingsOf = (t: ThreepidTarget) => [...new Set([t.address, ...(t.spellings ?? [])])];
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

export const chunk = <T>(xs: T[], n = WRITE_CHUNK): T[][] => chunks(xs, n);

export type OpContext = {
  db: Database.Database;
  /** What this attempt located. */
  found: Snapshot;
  /** What earlier attempts located (o.prior, plus earlier retries of this call). */
  prior: Snapshot;
  /** One short BEGIN IMMEDIATE transaction; reported to o.onTransaction, then the event loop is released. */
  write: <R>(fn: () => R, rows: (r: R) => number) => Promise<R>;
};

/**
 * Runs locate (autocommit reads) -> o.onLocated (the engine records the ids in the console DB
 * before anything is written) -> act (one or more short write transactions). SQLITE_BUSY is
 * retried as a whole: every op is idempotent, and rows handled by a committed chunk of an earlier
 * try are counted under `already` through the snapshot.
 */
export async function op<R>(file: string, o: OpOptions, locate: (db: Database.Database) => Promise<Snapshot> | Snapshot, act: (c: OpContext) => Promise<R> | R): Promise<R> {
  let seen: Snapshot = o.prior ?? {};
  return withRetry(file, o, async () => {
    const db = openWriteDb(file, o);
    try {
      const found = await locate(db);
      const prior = seen;
      seen = mergeSnapshots(prior, found);
      await o.onLocated?.(seen);
      const write = async <T>(fn: () => T, rows: (r: T) => number): Promise<T> => {
        const r = db.transaction(fn).immediate();
        await o.onTransaction?.({ rows: rows(r) });
        await new Promise((res) => setImmediate(res));
        return r;
      };
      return await act({ db, found, prior, write });
    } finally {
      db.close();
    }
  });
}

/** Global ids for a 3PID: exact spellings (index) + casefold matches via the lower() index. */
export function globalIdsFor(db: Database.Database, t: ThreepidTarget): number[] {
  const sp = spellingsOf(t);
  const exact = db.prepare(`SELECT id FROM global_threepid_associations WHERE medium = ? AND address IN (${placeholders(sp.length)})`).all(t.medium, ...sp) as { id: number }[];
  const lower = db.prepare(`SELECT id, address FROM global_threepid_associations${byLowerAddress(db)} WHERE medium = ? AND lower(address) = ?`).all(t.medium, asciiLower(t.address)) as { id: number; address: string }[];
  const want = casefold(t.address);
  return [...new Set([...exact.map((r) => r.id), ...lower.filter((r) => (t.medium === "email" ? casefold(r.address) : r.address) === want).map((r) => r.id)])];
}

/** Deletes by id in ONE statement per call: callers pass at most WRITE_CHUNK ids. */
export function deleteIdsIn(db: Database.Database, table: string, ids: number[], extra = "", params: unknown[] = []): number {
  if (!ids.length) return 0;
  return db.prepare(`DELETE FROM ${table} WHERE id IN (${placeholders(ids.length)})${extra}`).run(...ids, ...params).changes;
}

type LocalRow = { id: number; address: string; mxid: string | null };

/** Indices (into spellingsOf(t)) that Sydent's unbind would tombstone now; no identifier leaves. */
export function toTombstone(db: Database.Database, t: ThreepidTarget, onlyIfMxid?: string): number[] {
  const sp = spellingsOf(t);
  const locals = db.prepare(`SELECT id, address, mxid FROM local_threepid_associations WHERE medium = ? AND address IN (${placeholders(sp.length)})`).all(t.medium, ...sp) as LocalRow[];
  const out: number[] = [];
  sp.forEach((spelling, i) => {
    const row = locals.find((r) => r.address === spelling);
    // A tombstone already there: never a second one. Other spellings only when still bound.
    if (row && row.mxid === null) return;
    if (!row && spelling !== t.address) return;
    if (onlyIfMxid !== undefined && (!row || row.mxid !== onlyIfMxid)) return;
    out.push(i);
  });
  return out;
}

/** Sydent's unbind on the origin, inside the caller's transaction: tombstone the local row(s) + delete global rows. */
export function tombstoneInTx(db: Database.Database, t: ThreepidTarget, nowMs: number, onlyIfMxid?: string): { tombstonesWritten: number; tombstoneIds: number[]; globalDeleted: number } {
  const sp = spellingsOf(t);
  const replace = db.prepare("REPLACE INTO local_threepid_associations (medium, address, mxid, ts, notBefore, notAfter, lookup_hash) VALUES (?, ?, NULL, ?, NULL, NULL, NULL)");
  const ids = toTombstone(db, t, onlyIfMxid).map((i) => Number(replace.run(t.medium, sp[i], nowMs).lastInsertRowid));
  let globalDeleted = 0;
  for (const part of chunk(globalIdsFor(db, t))) globalDeleted += deleteIdsIn(db, "global_threepid_associations", part);
  return { tombstonesWritten: ids.length, tombstoneIds: ids, globalDeleted };
}
