import fs from "node:fs";
import Database from "better-sqlite3";
import { casefold, type Medium } from "@/lib/sydent/normalise";
import { locateIds, openWriteDb, withRetry, type OpOptions } from "@/lib/erasure/ops-db";

export { IdentityDbUnavailable, type OpOptions, type UnavailableKind } from "@/lib/erasure/ops-db";

// The ONLY writes Custodian makes to identity databases: exactly what Sydent itself writes
// (sydent.md 2.3, 2.7). API:
//   tombstoneAndDeleteGlobal(file, {medium, address, spellings?}) on the ORIGIN server
//   deleteGlobal(file, {medium, address, spellings?})              on every other server
//   deleteEmbeddingRows(file, {ownServerName, rows})               other people's rows embedding the subject
//   deleteSessions(file, {threepids, sids})   deleteInvitesTo(file, {medium, address, spellings?})
//   deleteInvitesFrom(file, {mxid})           deleteAccount(file, {mxid})
//   pruneTombstone(file, {medium, address, id})                    phase 2
// Each op opens its own read-write connection (busy timeout), locates rows with short chunked
// reads, then checks state and acts in ONE short BEGIN IMMEDIATE transaction; SQLITE_BUSY is
// retried with backoff, then IdentityDbUnavailable (locked | missing | readonly | not-sydent) is
// thrown so the engine pauses the job. Every op is idempotent: run twice, it acts once (no second
// tombstone for one binding). Results are row counts (no personal data).

export type ThreepidTarget = { medium: Medium; address: string; spellings?: string[] };

const spellingsOf = (t: ThreepidTarget) => [...new Set([t.address, ...(t.spellings ?? [])])];
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const inList = (n: number) => Array(n).fill("?").join(",");

function chunk<T>(xs: T[], n = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** Runs locate (autocommit reads) then act (BEGIN IMMEDIATE ... COMMIT), retried as a whole. */
async function op<L, R>(file: string, o: OpOptions, locate: (db: Database.Database) => Promise<L> | L, act: (db: Database.Database, found: L) => R): Promise<R> {
  return withRetry(file, o, async () => {
    const db = openWriteDb(file, o);
    try {
      const found = await locate(db);
      return db.transaction(() => act(db, found)).immediate();
    } finally {
      db.close();
    }
  });
}

/** Global ids for a 3PID: exact spellings (index) + casefold matches via the lower() index. */
function globalIdsFor(db: Database.Database, t: ThreepidTarget): number[] {
  const sp = spellingsOf(t);
  const exact = db.prepare(`SELECT id FROM global_threepid_associations WHERE medium = ? AND address IN (${inList(sp.length)})`).all(t.medium, ...sp) as { id: number }[];
  const lower = db.prepare("SELECT id, address FROM global_threepid_associations WHERE medium = ? AND lower(address) = ?").all(t.medium, asciiLower(t.address)) as { id: number; address: string }[];
  const want = casefold(t.address);
  return [...new Set([...exact.map((r) => r.id), ...lower.filter((r) => (t.medium === "email" ? casefold(r.address) : r.address) === want).map((r) => r.id)])];
}

function deleteIds(db: Database.Database, table: string, ids: number[], extra = "", params: unknown[] = []): number {
  let n = 0;
  for (const part of chunk(ids)) n += db.prepare(`DELETE FROM ${table} WHERE id IN (${inList(part.length)})${extra}`).run(...part, ...params).changes;
  return n;
}

type LocalRow = { id: number; address: string; mxid: string | null };

/** Sydent's unbind on the origin: tombstone the local row (unless it already is one) + delete global rows. */
function tombstoneInTx(db: Database.Database, t: ThreepidTarget, nowMs: number, onlyIfMxid?: string): { tombstonesWritten: number; tombstoneIds: number[]; globalDeleted: number } {
  const sp = spellingsOf(t);
  const locals = db.prepare(`SELECT id, address, mxid FROM local_threepid_associations WHERE medium = ? AND address IN (${inList(sp.length)})`).all(t.medium, ...sp) as LocalRow[];
  const replace = db.prepare("REPLACE INTO local_threepid_associations (medium, address, mxid, ts, notBefore, notAfter, lookup_hash) VALUES (?, ?, NULL, ?, NULL, NULL, NULL)");
  const ids: number[] = [];
  for (const spelling of sp) {
    const row = locals.find((r) => r.address === spelling);
    const isNormalised = spelling === t.address;
    // A tombstone already there: never a second one. Other spellings only when still bound.
    if (row && row.mxid === null) continue;
    if (!row && !isNormalised) continue;
    if (row && onlyIfMxid !== undefined && row.mxid !== onlyIfMxid) continue;
    if (!row && onlyIfMxid !== undefined) continue;
    ids.push(Number(replace.run(t.medium, spelling, nowMs).lastInsertRowid));
  }
  const globalDeleted = deleteIds(db, "global_threepid_associations", globalIdsFor(db, t));
  return { tombstonesWritten: ids.length, tombstoneIds: ids, globalDeleted };
}

export async function tombstoneAndDeleteGlobal(file: string, t: ThreepidTarget, o: OpOptions = {}) {
  return op(file, o, () => null, (db) => tombstoneInTx(db, t, o.nowMs ?? Date.now()));
}

/** Non-origin servers: delete the replicated global rows (the origin's tombstone reaches the rest). */
export async function deleteGlobal(file: string, t: ThreepidTarget, o: OpOptions = {}) {
  return op(file, o, () => null, (db) => ({ globalDeleted: deleteIds(db, "global_threepid_associations", globalIdsFor(db, t)) }));
}

export type EmbeddingRow = { globalId: number; medium: Medium; address: string; mxid: string; originServer: string };

/**
 * Other people's global rows whose sgAssoc embeds the subject: deleted by id (AUTOINCREMENT ids
 * are never reused). A row that originated on THIS server also gets its local row tombstoned
 * (when still bound to the same mxid), so peers drop it too and its owner can re-bind cleanly.
 */
export async function deleteEmbeddingRows(file: string, t: { ownServerName: string; rows: EmbeddingRow[] }, o: OpOptions = {}) {
  return op(file, o, () => null, (db) => {
    let tombstonesWritten = 0;
    let globalDeleted = 0;
    for (const r of t.rows) {
      const still = db.prepare("SELECT id FROM global_threepid_associations WHERE id = ?").get(r.globalId);
      if (r.originServer === t.ownServerName && still) {
        const res = tombstoneInTx(db, { medium: r.medium, address: r.address }, o.nowMs ?? Date.now(), r.mxid);
        tombstonesWritten += res.tombstonesWritten;
        globalDeleted += res.globalDeleted;
      }
      globalDeleted += deleteIds(db, "global_threepid_associations", [r.globalId]);
    }
    return { globalDeleted, tombstonesWritten };
  });
}

/** Validation sessions (address kept as typed: casefold match) and their token rows. */
export async function deleteSessions(file: string, t: { threepids: { medium: Medium; address: string }[]; sids: string[] }, o: OpOptions = {}) {
  const wanted = new Set(t.threepids.map((p) => `${p.medium}:${p.medium === "email" ? casefold(p.address) : p.address}`));
  const norm = (m: string, a: string) => `${m}:${m === "email" ? casefold(a.trim()) : a.replace(/\D/g, "")}`;
  return op(
    file, o,
    async (db) => {
      const ids = new Set(t.sids.map(Number).filter(Number.isFinite));
      if (wanted.size) {
        const rows = await locateIds<{ id: number; medium: string; address: string }>(db, "threepid_validation_sessions", "id, medium, address", "1", []);
        for (const r of rows) if (wanted.has(norm(r.medium, r.address))) ids.add(r.id);
      }
      return [...ids];
    },
    (db, ids) => {
      let tokenAuths = 0;
      for (const part of chunk(ids)) tokenAuths += db.prepare(`DELETE FROM threepid_token_auths WHERE validationSession IN (${inList(part.length)})`).run(...part).changes;
      return { sessions: deleteIds(db, "threepid_validation_sessions", ids), tokenAuths };
    },
  );
}

/** Invites TO the 3PID (indexed by medium, address); pending ones stop working. */
export async function deleteInvitesTo(file: string, t: ThreepidTarget, o: OpOptions = {}) {
  const sp = [...new Set([...spellingsOf(t), casefold(t.address)])];
  return op(file, o, () => null, (db) => ({
    invites: db.prepare(`DELETE FROM invite_tokens WHERE medium = ? AND address IN (${inList(sp.length)})`).run(t.medium, ...sp).changes,
  }));
}

/** Invites sent BY the Matrix ID (sender has no index: chunked locate, delete by id + re-check). */
export async function deleteInvitesFrom(file: string, t: { mxid: string }, o: OpOptions = {}) {
  return op(
    file, o,
    async (db) => (await locateIds<{ id: number }>(db, "invite_tokens", "id", "sender = ?", [t.mxid])).map((r) => r.id),
    (db, ids) => ({ invites: deleteIds(db, "invite_tokens", ids, " AND sender = ?", [t.mxid]) }),
  );
}

/** v2 account: tokens (no user_id index: chunked locate by rowid), accepted terms, the account. */
export async function deleteAccount(file: string, t: { mxid: string }, o: OpOptions = {}) {
  return op(
    file, o,
    async (db) => (await locateIds<{ id: number }>(db, "tokens", "rowid AS id", "user_id = ?", [t.mxid])).map((r) => r.id),
    (db, rowids) => {
      let tokens = 0;
      for (const part of chunk(rowids)) tokens += db.prepare(`DELETE FROM tokens WHERE rowid IN (${inList(part.length)}) AND user_id = ?`).run(...part, t.mxid).changes;
      const acceptedTerms = db.prepare("DELETE FROM accepted_terms_urls WHERE user_id = ?").run(t.mxid).changes;
      const accounts = db.prepare("DELETE FROM accounts WHERE user_id = ?").run(t.mxid).changes;
      return { accounts, tokens, acceptedTerms };
    },
  );
}

/**
 * Phase 2: removes a tombstone only if the row is still that tombstone (same id, NULL mxid) and
 * every ACTIVE peer's lastSentVersion >= its id. Otherwise returns the peers still behind.
 */
export async function pruneTombstone(file: string, t: { medium: Medium; address: string; id: number }, o: OpOptions = {}) {
  return op(file, o, () => null, (db) => {
    const row = db.prepare("SELECT id FROM local_threepid_associations WHERE id = ? AND medium = ? AND address = ? AND mxid IS NULL").get(t.id, t.medium, t.address);
    if (!row) return { pruned: 0, behind: [] as string[] };
    const behind = (db.prepare("SELECT name FROM peers WHERE active = 1 AND (lastSentVersion IS NULL OR lastSentVersion < ?)").all(t.id) as { name: string }[]).map((p) => p.name);
    if (behind.length) return { pruned: 0, behind };
    return { pruned: db.prepare("DELETE FROM local_threepid_associations WHERE id = ? AND mxid IS NULL").run(t.id).changes, behind };
  });
}

/** True when the file exists (used by reports; ops throw IdentityDbUnavailable themselves). */
export const fileExists = (file: string) => fs.existsSync(file);
