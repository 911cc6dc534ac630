// The schema Sydent 2.7.0 leaves behind (PRAGMA user_version = 5), as SQLite reports it through
// pragma_table_info / pragma_index_xinfo. Transcribed from shared/domain/sydent-schema.sql;
// lib/sydent/inspect.test.ts builds a database from that file and checks it matches this list.

export const EXPECTED_USER_VERSION = 5;

/** [name, declared type, not null, primary key] */
type Col = readonly [string, string, boolean, boolean];
export type ExpectedColumn = { name: string; type: string; notNull: boolean; pk: boolean };
export type ExpectedIndex = { name: string; table: string; columns: string[]; unique: boolean };

const t = (...cols: Col[]): ExpectedColumn[] =>
  cols.map(([name, type, notNull, pk]) => ({ name, type: type.toUpperCase(), notNull, pk }));

const ID: Col = ["id", "INTEGER", false, true];
const MEDIUM: Col = ["medium", "varchar(16)", true, false];
const ADDRESS: Col = ["address", "varchar(256)", true, false];

export const EXPECTED_TABLES: Record<string, ExpectedColumn[]> = {
  local_threepid_associations: t(ID, MEDIUM, ADDRESS, ["mxid", "varchar(256)", false, false], ["ts", "INTEGER", false, false],
    ["notBefore", "bigint", false, false], ["notAfter", "bigint", false, false], ["lookup_hash", "VARCHAR(256)", false, false]),
  global_threepid_associations: t(ID, MEDIUM, ADDRESS, ["mxid", "varchar(256)", true, false], ["ts", "INTEGER", true, false],
    ["notBefore", "bigint", true, false], ["notAfter", "INTEGER", true, false], ["originServer", "varchar(255)", true, false],
    ["originId", "INTEGER", true, false], ["sgAssoc", "TEXT", true, false], ["lookup_hash", "VARCHAR(256)", false, false]),
  hashing_metadata: t(ID, ["lookup_pepper", "varchar(256)", false, false]),
  threepid_validation_sessions: t(ID, MEDIUM, ADDRESS, ["clientSecret", "varchar(32)", true, false],
    ["validated", "INT", false, false], ["mtime", "bigint", true, false]),
  threepid_token_auths: t(ID, ["validationSession", "INTEGER", true, false], ["token", "varchar(32)", true, false],
    ["sendAttemptNumber", "INTEGER", true, false]),
  invite_tokens: t(ID, MEDIUM, ADDRESS, ["room_id", "varchar(256)", true, false], ["sender", "varchar(256)", true, false],
    ["token", "varchar(256)", true, false], ["received_ts", "bigint", false, false], ["sent_ts", "bigint", false, false]),
  ephemeral_public_keys: t(ID, ["public_key", "varchar(256)", true, false], ["verify_count", "bigint", false, false],
    ["persistence_ts", "bigint", false, false]),
  peers: t(ID, ["name", "varchar(255)", true, false], ["port", "INTEGER", false, false], ["lastSentVersion", "INTEGER", false, false],
    ["lastPokeSucceededAt", "INTEGER", false, false], ["active", "INTEGER", true, false]),
  peer_pubkeys: t(ID, ["peername", "varchar(255)", true, false], ["alg", "varchar(16)", true, false], ["key", "TEXT", true, false]),
  accounts: t(["user_id", "TEXT", true, true], ["created_ts", "BIGINT", true, false], ["consent_version", "TEXT", false, false]),
  tokens: t(["token", "TEXT", true, true], ["user_id", "TEXT", true, false]),
  accepted_terms_urls: t(["user_id", "TEXT", true, false], ["url", "TEXT", true, false]),
};

export const EXPECTED_TABLE_NAMES = Object.keys(EXPECTED_TABLES);

/** "<expr>" stands for an expression column, here lower(address). */
export const EXPECTED_INDEXES: ExpectedIndex[] = [
  { name: "local_threepid_medium_address", table: "local_threepid_associations", columns: ["medium", "address"], unique: true },
  { name: "global_threepid_medium_address", table: "global_threepid_associations", columns: ["medium", "address"], unique: false },
  { name: "global_threepid_medium_lower_address", table: "global_threepid_associations", columns: ["medium", "<expr>"], unique: false },
  { name: "global_threepid_originServer_originId", table: "global_threepid_associations", columns: ["originServer", "originId"], unique: true },
  { name: "global_threepid_lookup_hash", table: "global_threepid_associations", columns: ["lookup_hash"], unique: false },
  { name: "threepid_validation_sessions_mtime", table: "threepid_validation_sessions", columns: ["mtime"], unique: false },
  { name: "invite_token_medium_address", table: "invite_tokens", columns: ["medium", "address"], unique: false },
  { name: "invite_token_token", table: "invite_tokens", columns: ["token"], unique: false },
  { name: "ephemeral_public_keys_index", table: "ephemeral_public_keys", columns: ["public_key"], unique: true },
  { name: "name", table: "peers", columns: ["name"], unique: true },
  { name: "peername_alg", table: "peer_pubkeys", columns: ["peername", "alg"], unique: true },
  { name: "accepted_terms_urls_idx", table: "accepted_terms_urls", columns: ["user_id", "url"], unique: true },
];
