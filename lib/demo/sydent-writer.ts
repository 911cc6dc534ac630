import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { sydentDdlStatements } from "@/lib/demo/sydent-ddl";

// Writes one brand-new Sydent database file as fast as SQLite allows: built under a temporary
// name with journal_mode=OFF and synchronous=OFF (safe only because nobody else can see the file
// yet), then switched back to journal_mode=DELETE (what Sydent uses) and renamed into place.

export type LocalRow = [id: number, medium: string, address: string, mxid: string | null, ts: number, notBefore: number | null, notAfter: number | null, lookupHash: string | null];
export type GlobalRow = [id: number, medium: string, address: string, mxid: string, ts: number, notBefore: number, notAfter: number, originServer: string, originId: number, sgAssoc: string, lookupHash: string];

export type SydentWriter = {
  file: string;
  local(row: LocalRow): void;
  global(row: GlobalRow): void;
  /** INSERT OR IGNORE like Sydent's /account/register; true if the account is new. */
  account(userId: string, createdTs: number, consentVersion: string | null): boolean;
  token(token: string, userId: string): void;
  acceptedTerms(userId: string, url: string): void;
  session(id: number, medium: string, address: string, clientSecret: string, validated: number, mtime: number): void;
  tokenAuth(id: number, sid: number, token: string): void;
  invite(id: number, medium: string, address: string, roomId: string, sender: string, token: string, receivedTs: number, sentTs: number | null): void;
  ephemeralKey(id: number, publicKey: string, verifyCount: number, persistenceTs: number): void;
  peer(name: string, lastSentVersion: number, lastPokeSucceededAt: number, publicKey: string): void;
  pepper(pepper: string): void;
  /** Sets sqlite_sequence like Sydent's AUTOINCREMENT history (ids consumed by deleted rows). */
  sequence(table: "local_threepid_associations" | "global_threepid_associations", seq: number): void;
  begin(): void;
  commit(): void;
  finish(): void;
};

export function createSydentWriter(file: string): SydentWriter {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.generating`;
  fs.rmSync(tmp, { force: true });
  const db = new Database(tmp);
  db.pragma("foreign_keys = OFF"); // Sydent never enables them; threepid_token_auths names a missing table
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.pragma("locking_mode = EXCLUSIVE");
  db.pragma("cache_size = -131072");
  db.pragma("temp_store = MEMORY");
  for (const sql of sydentDdlStatements()) db.exec(sql);

  const st = {
    local: db.prepare("INSERT INTO local_threepid_associations (id, medium, address, mxid, ts, notBefore, notAfter, lookup_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
    global: db.prepare("INSERT INTO global_threepid_associations (id, medium, address, mxid, ts, notBefore, notAfter, originServer, originId, sgAssoc, lookup_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    account: db.prepare("INSERT OR IGNORE INTO accounts (user_id, created_ts, consent_version) VALUES (?, ?, ?)"),
    token: db.prepare("INSERT INTO tokens (token, user_id) VALUES (?, ?)"),
    terms: db.prepare("INSERT OR IGNORE INTO accepted_terms_urls (user_id, url) VALUES (?, ?)"),
    session: db.prepare("INSERT INTO threepid_validation_sessions (id, medium, address, clientSecret, validated, mtime) VALUES (?, ?, ?, ?, ?, ?)"),
    tokenAuth: db.prepare("INSERT INTO threepid_token_auths (id, validationSession, token, sendAttemptNumber) VALUES (?, ?, ?, -1)"),
    invite: db.prepare("INSERT INTO invite_tokens (id, medium, address, room_id, sender, token, received_ts, sent_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
    ephemeral: db.prepare("INSERT INTO ephemeral_public_keys (id, public_key, verify_count, persistence_ts) VALUES (?, ?, ?, ?)"),
    peer: db.prepare("INSERT INTO peers (id, name, port, lastSentVersion, lastPokeSucceededAt, active) VALUES (1, ?, NULL, ?, ?, 1)"),
    peerKey: db.prepare("INSERT INTO peer_pubkeys (id, peername, alg, key) VALUES (1, ?, 'ed25519', ?)"),
    pepper: db.prepare("INSERT INTO hashing_metadata (id, lookup_pepper) VALUES (0, ?)"),
    // sqlite_sequence has no column types: bind as INTEGER, not as a JS double (REAL).
    seqUpdate: db.prepare("UPDATE sqlite_sequence SET seq = CAST(? AS INTEGER) WHERE name = ?"),
    seqInsert: db.prepare("INSERT INTO sqlite_sequence (name, seq) SELECT ?, CAST(? AS INTEGER) WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)"),
  };

  return {
    file,
    local: (r) => void st.local.run(r),
    global: (r) => void st.global.run(r),
    account: (u, ts, cv) => st.account.run(u, ts, cv).changes === 1,
    token: (t, u) => void st.token.run(t, u),
    acceptedTerms: (u, url) => void st.terms.run(u, url),
    session: (id, m, a, cs, v, mt) => void st.session.run(id, m, a, cs, v, mt),
    tokenAuth: (id, sid, t) => void st.tokenAuth.run(id, sid, t),
    invite: (id, m, a, room, sender, t, r, s) => void st.invite.run(id, m, a, room, sender, t, r, s),
    ephemeralKey: (id, k, vc, ts) => void st.ephemeral.run(id, k, vc, ts),
    peer: (name, lsv, poke, key) => {
      st.peer.run(name, lsv, poke);
      st.peerKey.run(name, key);
    },
    pepper: (p) => void st.pepper.run(p),
    sequence: (table, seq) => {
      if (seq <= 0) return;
      st.seqInsert.run(table, seq, table);
      st.seqUpdate.run(seq, table);
    },
    begin: () => void db.exec("BEGIN"),
    commit: () => void db.exec("COMMIT"),
    finish: () => {
      db.pragma("journal_mode = DELETE");
      db.close();
      fs.rmSync(`${file}-journal`, { force: true });
      fs.renameSync(tmp, file);
    },
  };
}
