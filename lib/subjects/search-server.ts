import type Database from "better-sqlite3";
import { casefold } from "@/lib/sydent/normalise";
import { chunkedScan, chunks, placeholders, type StatementTimer } from "@/lib/subjects/search-scan";
import type { AccountFinding, InviteFinding, Medium, SessionFinding } from "@/lib/subjects/types";

// Reads of one identity database for a subject search: single short statements on indexed
// columns, chunked scans (search-scan.ts) on the others. Secret columns (clientSecret, token of
// threepid_token_auths, invite_tokens and tokens) are never selected.

export type Progress = (step: string, chunksDone?: number) => void;

export type LocalRow = { id: number; medium: Medium; address: string; mxid: string | null; ts: number | null; notBefore: number | null; notAfter: number | null; lookup_hash: string | null };
export type GlobalRow = { id: number; medium: Medium; address: string; mxid: string; ts: number; notBefore: number; notAfter: number; originServer: string; originId: number; lookup_hash: string | null; sgAssoc: string };

const LOCAL_COLS = "id, medium, address, mxid, ts, notBefore, notAfter, lookup_hash";
const GLOBAL_COLS = "id, medium, address, mxid, ts, notBefore, notAfter, originServer, originId, lookup_hash, sgAssoc";

/** A 3PID's key in Sydent's normalised form ("email:<casefolded>" or "msisdn:<digits>"). */
export function keyOf(medium: string, address: string): string {
  return medium === "msisdn" ? `msisdn:${address.replace(/\D/g, "")}` : `${medium}:${casefold(address)}`;
}

/** Local rows by exact (medium, address): the unique index. */
export function localByAddress(db: Database.Database, t: StatementTimer, medium: Medium, spellings: string[]): LocalRow[] {
  const stmt = db.prepare(`SELECT ${LOCAL_COLS} FROM local_threepid_associations WHERE medium = ? AND address = ?`);
  return spellings.flatMap((a) => t.run("local by address", () => stmt.all(medium, a) as LocalRow[]));
}

/**
 * Global rows by (medium, lower(address)) — the lower() index also catches pre-2.4.0 rows
 * stored with other ASCII capitalisation; casefold equality is then checked here.
 */
export function globalByAddress(db: Database.Database, t: StatementTimer, medium: Medium, address: string): GlobalRow[] {
  const rows = t.run("global by address", () =>
    db.prepare(`SELECT ${GLOBAL_COLS} FROM global_threepid_associations WHERE medium = ? AND lower(address) = ?`).all(medium, address.replace(/[A-Z]/g, (c) => c.toLowerCase())) as GlobalRow[],
  );
  return rows.filter((r) => keyOf(r.medium, r.address) === keyOf(medium, address));
}

export async function localByMxids(db: Database.Database, t: StatementTimer, mxids: string[], progress?: Progress): Promise<LocalRow[]> {
  const out: LocalRow[] = [];
  for (const part of chunks(mxids)) {
    out.push(...(await chunkedScan<LocalRow>(db, t, { table: "local_threepid_associations", columns: LOCAL_COLS, where: `mxid IN (${placeholders(part.length)})`, params: part, dense: true, label: "local by mxid (chunk)", onChunk: (n) => progress?.("local associations by Matrix ID", n) })));
  }
  return out;
}

export async function globalByMxids(db: Database.Database, t: StatementTimer, mxids: string[], progress?: Progress): Promise<GlobalRow[]> {
  const out: GlobalRow[] = [];
  for (const part of chunks(mxids)) {
    out.push(...(await chunkedScan<GlobalRow>(db, t, { table: "global_threepid_associations", columns: GLOBAL_COLS, where: `mxid IN (${placeholders(part.length)})`, params: part, dense: true, label: "global by mxid (chunk)", onChunk: (n) => progress?.("global associations by Matrix ID", n) })));
  }
  return out;
}

export async function byLookupHash(db: Database.Database, t: StatementTimer, hash: string, progress?: Progress): Promise<{ local: LocalRow[]; global: GlobalRow[] }> {
  const global = t.run("global by lookup_hash", () => db.prepare(`SELECT ${GLOBAL_COLS} FROM global_threepid_associations WHERE lookup_hash = ?`).all(hash) as GlobalRow[]);
  // Sydent has no index on local.lookup_hash.
  const local = await chunkedScan<LocalRow>(db, t, { table: "local_threepid_associations", columns: LOCAL_COLS, where: "lookup_hash = ?", params: [hash], dense: true, label: "local by lookup_hash (chunk)", onChunk: (n) => progress?.("local associations by lookup hash", n) });
  return { local, global };
}

type SessionRow = { id: number; medium: Medium; address: string; validated: number | null; mtime: number };

/** Sessions keep the address as typed and have no address index: scan, compare normalised. */
export async function sessionsFor(db: Database.Database, t: StatementTimer, keys: Set<string>, progress?: Progress): Promise<SessionFinding[]> {
  if (keys.size === 0) return [];
  const rows = await chunkedScan<SessionRow>(db, t, { table: "threepid_validation_sessions", columns: "id, medium, address, validated, mtime", where: "1", params: [], label: "sessions (chunk)", onChunk: (n) => progress?.("validation sessions", n) });
  const hits = rows.filter((r) => keys.has(keyOf(r.medium, r.address)));
  if (hits.length === 0) return [];
  const counts = new Map<number, number>();
  for (const part of chunks(hits.map((h) => h.id))) {
    const auths = await chunkedScan<{ s: number }>(db, t, { table: "threepid_token_auths", columns: "validationSession AS s", where: `validationSession IN (${placeholders(part.length)})`, params: part, label: "token auths (chunk)" });
    for (const a of auths) counts.set(a.s, (counts.get(a.s) ?? 0) + 1);
  }
  return hits.map((r) => {
    const tokenRows = counts.get(r.id) ?? 0;
    return {
      sid: String(r.id),
      medium: r.medium,
      addressAsStored: r.address,
      validated: r.validated === 1,
      mtimeMs: r.mtime,
      tokenRows,
      secretsHeld: tokenRows > 0 ? ["client_secret", "validation_token"] : ["client_secret"],
    };
  });
}

type InviteRow = { id: number; medium: Medium; address: string; room_id: string; sender: string; received_ts: number | null; sent_ts: number | null };
const INVITE_COLS = "id, medium, address, room_id, sender, received_ts, sent_ts";

const toInvite = (r: InviteRow, direction: "to" | "from"): InviteFinding => ({
  id: r.id,
  direction,
  medium: r.medium,
  address: r.address,
  roomId: r.room_id,
  sender: r.sender,
  receivedTs: r.received_ts,
  sentTs: r.sent_ts,
  state: r.sent_ts === null ? "pending" : "sent_not_deleted",
});

/** Invites addressed to the 3PID (indexed on medium, address). */
export function invitesTo(db: Database.Database, t: StatementTimer, medium: Medium, spellings: string[]): InviteFinding[] {
  const stmt = db.prepare(`SELECT ${INVITE_COLS} FROM invite_tokens WHERE medium = ? AND address = ?`);
  return spellings.flatMap((a) => t.run("invites to address", () => stmt.all(medium, a) as InviteRow[])).map((r) => toInvite(r, "to"));
}

/** Invites sent by the Matrix IDs (no index on sender: chunked). */
export async function invitesFrom(db: Database.Database, t: StatementTimer, mxids: string[]): Promise<InviteFinding[]> {
  if (mxids.length === 0) return [];
  const rows = await chunkedScan<InviteRow>(db, t, { table: "invite_tokens", columns: INVITE_COLS, where: `sender IN (${placeholders(mxids.length)})`, params: mxids, dense: true, label: "invites from mxid (chunk)" });
  return rows.map((r) => toInvite(r, "from"));
}

/** v2 accounts: the row, accepted terms, and the NUMBER of tokens (tokens.user_id has no index). */
export async function accountsFor(db: Database.Database, t: StatementTimer, mxids: string[]): Promise<AccountFinding[]> {
  const found: AccountFinding[] = [];
  const acct = db.prepare("SELECT user_id, created_ts, consent_version FROM accounts WHERE user_id = ?");
  const terms = db.prepare("SELECT url FROM accepted_terms_urls WHERE user_id = ? ORDER BY url");
  for (const m of mxids) {
    const a = t.run("account", () => acct.get(m) as { user_id: string; created_ts: number; consent_version: string | null } | undefined);
    if (!a) continue;
    const urls = t.run("accepted terms", () => terms.all(m) as { url: string }[]).map((u) => u.url);
    found.push({ userId: a.user_id, createdTsMs: a.created_ts, consentVersion: a.consent_version, activeTokens: 0, acceptedTermsUrls: urls });
  }
  if (found.length === 0) return found;
  const ids = found.map((f) => f.userId);
  const owners = await chunkedScan<{ u: string }>(db, t, { table: "tokens", key: "rowid", columns: "user_id AS u", where: `user_id IN (${placeholders(ids.length)})`, params: ids, dense: true, label: "token count (chunk)" });
  for (const f of found) f.activeTokens = owners.filter((o) => o.u === f.userId).length;
  return found;
}

export function peersOf(db: Database.Database, t: StatementTimer): { name: string; active: boolean; lastSentVersion: number | null }[] {
  const rows = t.run("peers", () => db.prepare("SELECT name, active, lastSentVersion FROM peers ORDER BY name").all() as { name: string; active: number; lastSentVersion: number | null }[]);
  return rows.map((p) => ({ name: p.name, active: p.active === 1, lastSentVersion: p.lastSentVersion }));
}
