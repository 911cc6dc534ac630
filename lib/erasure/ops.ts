import fs from "node:fs";
import { casefold, type Medium } from "@/lib/sydent/normalise";
import { alreadyDone, locateIds, type OpOptions, type Snapshot } from "@/lib/erasure/ops-db";
import { chunk, deleteIdsIn, globalIdsFor, op, spellingsOf, toTombstone, tombstoneInTx } from "@/lib/erasure/ops-core";
import { placeholders } from "@/lib/subjects/search-scan";

export { IdentityDbUnavailable, type OpOptions, type UnavailableKind } from "@/lib/erasure/ops-db";

// The ONLY writes Custodian makes to identity databases: exactly what Sydent itself writes
// (sydent.md 2.3, 2.7). API:
//   tombstoneAndDeleteGlobal(file, {medium, address, spellings?}) on the ORIGIN server
//   deleteGlobal(file, {medium, address, spellings?})              on every other server
//   deleteEmbeddingRows(file, {ownServerName, rows})               other people's rows embedding the subject
//   deleteSessions(file, {threepids, sids})   deleteInvitesTo(file, {medium, address, spellings?})
//   deleteInvitesFrom(file, {mxid})           deleteAccount(file, {mxid})
//   pruneTombstone(file, {medium, address, id})                    phase 2
// Each op opens its own read-write connection (busy timeout), locates the row ids with short
// chunked reads, hands them to o.onLocated (the engine records them before anything is written),
// then checks state and acts in short BEGIN IMMEDIATE transactions of at most WRITE_CHUNK rows
// each (ops-core.ts); SQLITE_BUSY is retried with backoff, then IdentityDbUnavailable (locked |
// missing | readonly | not-sydent) is thrown so the engine pauses the job. Every op is idempotent:
// run twice, it acts once (no second tombstone for one binding). Results are row counts (no
// personal data): what this run changed, plus `already` - rows an earlier, interrupted attempt of
// the same step (o.prior) had located and that are in the target state now - so a re-run after a
// crash reports the step's true effect, e.g. {tombstonesWritten: 0, already: {tombstonesWritten: 1}}.

export type ThreepidTarget = { medium: Medium; address: string; spellings?: string[] };

const nowOf = (o: OpOptions) => o.nowMs ?? Date.now();
const ids = (rows: { id: number }[]) => rows.map((r) => r.id);

export async function tombstoneAndDeleteGlobal(file: string, t: ThreepidTarget, o: OpOptions = {}) {
  return op(
    file, o,
    (db): Snapshot => ({ tomb: toTombstone(db, t), global: globalIdsFor(db, t) }),
    // One transaction, as Sydent's unbind: the tombstone and the global delete together (a few rows).
    async ({ db, found, prior, write }) => ({
      ...(await write(() => tombstoneInTx(db, t, nowOf(o)), (r) => r.tombstonesWritten + r.globalDeleted)),
      already: { tombstonesWritten: alreadyDone(prior, found, "tomb"), globalDeleted: alreadyDone(prior, found, "global") },
    }),
  );
}

/** Non-origin servers: delete the replicated global rows (the origin's tombstone reaches the rest). */
export async function deleteGlobal(file: string, t: ThreepidTarget, o: OpOptions = {}) {
  return op(
    file, o,
    (db): Snapshot => ({ global: globalIdsFor(db, t) }),
    async ({ db, found, prior, write }) => {
      let globalDeleted = 0;
      for (const part of chunk(found.global)) globalDeleted += await write(() => deleteIdsIn(db, "global_threepid_associations", part), (n) => n);
      return { globalDeleted, already: { globalDeleted: alreadyDone(prior, found, "global") } };
    },
  );
}

export type EmbeddingRow = { globalId: number; medium: Medium; address: string; mxid: string; originServer: string };
const EMBED_CHUNK = 100;

/**
 * Other people's global rows whose sgAssoc embeds the subject: deleted by id (AUTOINCREMENT ids
 * are never reused). A row that originated on THIS server also gets its local row tombstoned
 * (when still bound to the same mxid), so peers drop it too and its owner can re-bind cleanly.
 */
export async function deleteEmbeddingRows(file: string, t: { ownServerName: string; rows: EmbeddingRow[] }, o: OpOptions = {}) {
  return op(
    file, o,
    (db): Snapshot => {
      const still = db.prepare("SELECT id FROM global_threepid_associations WHERE id = ?");
      const present = t.rows.filter((r) => still.get(r.globalId));
      return { rows: present.map((r) => r.globalId), tomb: present.filter((r) => r.originServer === t.ownServerName).map((r) => r.globalId) };
    },
    async ({ db, found, prior, write }) => {
      let tombstonesWritten = 0;
      let globalDeleted = 0;
      for (const part of chunk(t.rows, EMBED_CHUNK)) {
        await write(() => {
          const still = db.prepare("SELECT id FROM global_threepid_associations WHERE id = ?");
          let n = 0;
          for (const r of part) {
            if (r.originServer === t.ownServerName && still.get(r.globalId)) {
              const res = tombstoneInTx(db, { medium: r.medium, address: r.address }, nowOf(o), r.mxid);
              tombstonesWritten += res.tombstonesWritten;
              globalDeleted += res.globalDeleted;
              n += res.tombstonesWritten + res.globalDeleted;
            }
            const d = deleteIdsIn(db, "global_threepid_associations", [r.globalId]);
            globalDeleted += d;
            n += d;
          }
          return n;
        }, (n) => n);
      }
      return { globalDeleted, tombstonesWritten, already: { globalDeleted: alreadyDone(prior, found, "rows"), tombstonesWritten: alreadyDone(prior, found, "tomb") } };
    },
  );
}

/** Validation sessions (address kept as typed: casefold match) and their token rows. */
export async function deleteSessions(file: string, t: { threepids: { medium: Medium; address: string }[]; sids: string[] }, o: OpOptions = {}) {
  const wanted = new Set(t.threepids.map((p) => `${p.medium}:${p.medium === "email" ? casefold(p.address) : p.address}`));
  const norm = (m: string, a: string) => `${m}:${m === "email" ? casefold(a.trim()) : a.replace(/\D/g, "")}`;
  return op(
    file, o,
    async (db): Promise<Snapshot> => {
      const wantedIds = new Set(t.sids.map(Number).filter(Number.isFinite));
      const present = new Set<number>();
      const rows = await locateIds<{ id: number; medium: string; address: string }>(db, "threepid_validation_sessions", "id, medium, address", "1", []);
      for (const r of rows) if (wantedIds.has(r.id) || wanted.has(norm(r.medium, r.address))) present.add(r.id);
      // Token rows of the subject's sessions (also those whose session row is already gone).
      const all = [...new Set([...wantedIds, ...present])];
      const tokenAuths: number[] = [];
      for (const part of chunk(all)) tokenAuths.push(...ids(db.prepare(`SELECT rowid AS id FROM threepid_token_auths WHERE validationSession IN (${placeholders(part.length)})`).all(...part) as { id: number }[]));
      return { sessions: [...present], tokenAuths };
    },
    async ({ db, found, prior, write }) => {
      let tokenAuths = 0;
      let sessions = 0;
      for (const part of chunk([...new Set([...found.sessions, ...t.sids.map(Number).filter(Number.isFinite)])])) {
        const r = await write(() => ({
          tokenAuths: db.prepare(`DELETE FROM threepid_token_auths WHERE validationSession IN (${placeholders(part.length)})`).run(...part).changes,
          sessions: deleteIdsIn(db, "threepid_validation_sessions", part),
        }), (x) => x.tokenAuths + x.sessions);
        tokenAuths += r.tokenAuths;
        sessions += r.sessions;
      }
      return { sessions, tokenAuths, already: { sessions: alreadyDone(prior, found, "sessions"), tokenAuths: alreadyDone(prior, found, "tokenAuths") } };
    },
  );
}

/** Invites TO the 3PID (indexed by medium, address); pending ones stop working. */
export async function deleteInvitesTo(file: string, t: ThreepidTarget, o: OpOptions = {}) {
  const sp = [...new Set([...spellingsOf(t), casefold(t.address)])];
  const where = `medium = ? AND address IN (${placeholders(sp.length)})`;
  return op(
    file, o,
    (db): Snapshot => ({ invites: ids(db.prepare(`SELECT id FROM invite_tokens WHERE ${where}`).all(t.medium, ...sp) as { id: number }[]) }),
    async ({ db, found, prior, write }) => {
      let invites = 0;
      for (const part of chunk(found.invites)) invites += await write(() => deleteIdsIn(db, "invite_tokens", part, ` AND ${where}`, [t.medium, ...sp]), (n) => n);
      // Invites stored since the locate (indexed, normally none).
      invites += await write(() => db.prepare(`DELETE FROM invite_tokens WHERE ${where}`).run(t.medium, ...sp).changes, (n) => n);
      return { invites, already: { invites: alreadyDone(prior, found, "invites") } };
    },
  );
}

/** Invites sent BY the Matrix ID (sender has no index: chunked locate, delete by id + re-check). */
export async function deleteInvitesFrom(file: string, t: { mxid: string }, o: OpOptions = {}) {
  return op(
    file, o,
    async (db): Promise<Snapshot> => ({ invites: ids(await locateIds<{ id: number }>(db, "invite_tokens", "id", "sender = ?", [t.mxid])) }),
    async ({ db, found, prior, write }) => {
      let invites = 0;
      for (const part of chunk(found.invites)) invites += await write(() => deleteIdsIn(db, "invite_tokens", part, " AND sender = ?", [t.mxid]), (n) => n);
      return { invites, already: { invites: alreadyDone(prior, found, "invites") } };
    },
  );
}

/** v2 account: tokens (no user_id index: chunked locate by rowid), accepted terms, the account. */
export async function deleteAccount(file: string, t: { mxid: string }, o: OpOptions = {}) {
  return op(
    file, o,
    async (db): Promise<Snapshot> => ({
      tokens: ids(await locateIds<{ id: number }>(db, "tokens", "rowid AS id", "user_id = ?", [t.mxid])),
      acceptedTerms: ids(db.prepare("SELECT rowid AS id FROM accepted_terms_urls WHERE user_id = ?").all(t.mxid) as { id: number }[]),
      accounts: ids(db.prepare("SELECT rowid AS id FROM accounts WHERE user_id = ?").all(t.mxid) as { id: number }[]),
    }),
    async ({ db, found, prior, write }) => {
      let tokens = 0;
      for (const part of chunk(found.tokens)) tokens += await write(() => db.prepare(`DELETE FROM tokens WHERE rowid IN (${placeholders(part.length)}) AND user_id = ?`).run(...part, t.mxid).changes, (n) => n);
      const rest = await write(() => ({
        acceptedTerms: db.prepare("DELETE FROM accepted_terms_urls WHERE user_id = ?").run(t.mxid).changes,
        accounts: db.prepare("DELETE FROM accounts WHERE user_id = ?").run(t.mxid).changes,
      }), (r) => r.acceptedTerms + r.accounts);
      const already = Object.fromEntries(["accounts", "tokens", "acceptedTerms"].map((k) => [k, alreadyDone(prior, found, k)])) as Record<"accounts" | "tokens" | "acceptedTerms", number>;
      return { accounts: rest.accounts, tokens, acceptedTerms: rest.acceptedTerms, already };
    },
  );
}

/**
 * Phase 2: removes a tombstone only if the row is still that tombstone (same id, NULL mxid) and
 * every ACTIVE peer's lastSentVersion >= its id. Otherwise returns the peers still behind.
 */
export async function pruneTombstone(file: string, t: { medium: Medium; address: string; id: number }, o: OpOptions = {}) {
  const isTomb = "SELECT id FROM local_threepid_associations WHERE id = ? AND medium = ? AND address = ? AND mxid IS NULL";
  return op(
    file, o,
    (db): Snapshot => ({ tomb: db.prepare(isTomb).get(t.id, t.medium, t.address) ? [t.id] : [] }),
    async ({ db, found, prior, write }) => {
      const r = await write(() => {
        if (!db.prepare(isTomb).get(t.id, t.medium, t.address)) return { pruned: 0, behind: [] as string[] };
        const behind = (db.prepare("SELECT name FROM peers WHERE active = 1 AND (lastSentVersion IS NULL OR lastSentVersion < ?)").all(t.id) as { name: string }[]).map((p) => p.name);
        if (behind.length) return { pruned: 0, behind };
        return { pruned: db.prepare("DELETE FROM local_threepid_associations WHERE id = ? AND mxid IS NULL").run(t.id).changes, behind };
      }, (x) => x.pruned);
      return { ...r, already: { pruned: alreadyDone(prior, found, "tomb") } };
    },
  );
}

/** True when the file exists (used by reports; ops throw IdentityDbUnavailable themselves). */
export const fileExists = (file: string) => fs.existsSync(file);
