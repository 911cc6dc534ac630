import Database from "better-sqlite3";
import type { Medium } from "@/lib/sydent/normalise";

// The same answers as Custodian's search, written the way an operator would type them into
// sqlite3 today, run through better-sqlite3 on the same files. Plain statements, no chunking,
// no cleverness: this is the baseline the issue compares against.

export type HandAnswer = { associations: number; sessions: number; tokenRows: number; invitesTo: number; invitesFrom: number; accounts: number; activeTokens: number; terms: number };

export type HandDb = { label: string; conn: Database.Database };

export function openHand(files: { label: string; file: string }[]): HandDb[] {
  return files.map((f) => ({ label: f.label, conn: new Database(f.file, { readonly: true, fileMustExist: true, timeout: 5000 }) }));
}

export function closeHand(dbs: HandDb[]): void {
  for (const d of dbs) d.conn.close();
}

const empty = (): HandAnswer => ({ associations: 0, sessions: 0, tokenRows: 0, invitesTo: 0, invitesFrom: 0, accounts: 0, activeTokens: 0, terms: 0 });

type Assoc = { medium: Medium; address: string; mxid: string | null };
/** Optional collector of every row read (the hand-made package writes them out). */
export type Sink = { table: string; rows: unknown[] }[];

function all<T>(c: Database.Database, sink: Sink | undefined, table: string, sql: string, ...params: unknown[]): T[] {
  const rows = c.prepare(sql).all(...params) as T[];
  sink?.push({ table, rows });
  return rows;
}

/** Per-3PID statements: sessions (Sydent keeps them as typed: compare lower-cased), their token rows, invites to. */
function threepidSide(c: Database.Database, medium: Medium, address: string, a: HandAnswer, sink?: Sink): void {
  const sessions = medium === "email"
    ? all<{ id: number }>(c, sink, "sessions", "SELECT * FROM threepid_validation_sessions WHERE medium = ? AND lower(address) = ?", medium, address)
    : all<{ id: number }>(c, sink, "sessions", "SELECT * FROM threepid_validation_sessions WHERE medium = ? AND address = ?", medium, address);
  a.sessions += sessions.length;
  for (const s of sessions) a.tokenRows += all(c, sink, "token_auths", "SELECT * FROM threepid_token_auths WHERE validationSession = ?", s.id).length;
  a.invitesTo += all(c, sink, "invites_to", "SELECT * FROM invite_tokens WHERE medium = ? AND address = ?", medium, address).length;
}

/** Per-mxid statements: v2 account, active token count, accepted terms, invites sent. */
function mxidSide(c: Database.Database, mxid: string, a: HandAnswer, sink?: Sink): void {
  a.accounts += all(c, sink, "accounts", "SELECT * FROM accounts WHERE user_id = ?", mxid).length;
  a.activeTokens += all<{ n: number }>(c, sink, "token_count", "SELECT count(*) AS n FROM tokens WHERE user_id = ?", mxid)[0].n;
  a.terms += all(c, sink, "terms", "SELECT url FROM accepted_terms_urls WHERE user_id = ?", mxid).length;
  a.invitesFrom += all(c, sink, "invites_from", "SELECT * FROM invite_tokens WHERE sender = ?", mxid).length;
}

/** 3PID search by hand on every server: associations by (medium, address), then everything linked. */
export function handThreepid(dbs: HandDb[], medium: Medium, address: string, sink?: Sink): HandAnswer {
  const a = empty();
  for (const { conn: c } of dbs) {
    const local = all<Assoc>(c, sink, "local", "SELECT * FROM local_threepid_associations WHERE medium = ? AND address = ?", medium, address);
    const global = all<Assoc>(c, sink, "global", "SELECT * FROM global_threepid_associations WHERE medium = ? AND address = ?", medium, address);
    all(c, sink, "peers", "SELECT * FROM peers");
    a.associations += local.length + global.length;
    threepidSide(c, medium, address, a, sink);
    const mxids = new Set([...local, ...global].map((r) => r.mxid).filter((m): m is string => !!m));
    for (const m of mxids) mxidSide(c, m, a, sink);
  }
  return a;
}

/** Matrix ID search by hand: `WHERE mxid = ?` (no index: full scans), then each 3PID found. */
export function handMxid(dbs: HandDb[], mxid: string, sink?: Sink): HandAnswer {
  const a = empty();
  for (const { conn: c } of dbs) {
    const local = all<Assoc>(c, sink, "local", "SELECT * FROM local_threepid_associations WHERE mxid = ?", mxid);
    const global = all<Assoc>(c, sink, "global", "SELECT * FROM global_threepid_associations WHERE mxid = ?", mxid);
    all(c, sink, "peers", "SELECT * FROM peers");
    a.associations += local.length + global.length;
    mxidSide(c, mxid, a, sink);
    const threepids = new Map([...local, ...global].map((r) => [`${r.medium}\u0000${r.address}`, r]));
    for (const r of threepids.values()) threepidSide(c, r.medium, r.address, a, sink);
  }
  return a;
}

/**
 * The sgAssoc embedded-data scan by hand: one LIKE full scan per server for the address or the
 * Matrix ID, leaving out the subject's own rows (their own signed association names them).
 */
export function handSgAssoc(dbs: HandDb[], subject: { address: string; mxid: string }): number {
  let n = 0;
  for (const { conn: c } of dbs) {
    n += all(c, undefined, "embedded", `SELECT id, medium, address, mxid, originServer FROM global_threepid_associations
      WHERE (sgAssoc LIKE '%' || ? || '%' OR sgAssoc LIKE '%' || ? || '%') AND address <> ? AND mxid <> ?`, subject.address, subject.mxid, subject.address, subject.mxid).length;
  }
  return n;
}
