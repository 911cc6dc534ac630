// Sydent 2.7.0 schema exactly as SQLite holds it (user_version 5), extracted from the real fixture
// (shared/fixtures/sydent-real/is1.db): SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid.
// Executed in this order on an empty file these statements reproduce the fixture's sqlite_master:
// sqlite_sequence appears by itself when the first AUTOINCREMENT table is created, and the
// sqlite_autoindex_* entries come from the PRIMARY KEY clauses. Do not reformat the SQL: it is
// compared byte for byte with the real databases (lib/demo/sydent-ddl.test.ts).

export type SydentSchemaObject = { type: "table" | "index"; name: string; tblName: string; sql: string };

/** Created by SQLite itself with the first AUTOINCREMENT table; listed for comparisons only. */
export const IMPLICIT_OBJECTS = new Set(["sqlite_sequence"]);

export const SYDENT_USER_VERSION = 5;

export const SYDENT_SCHEMA: readonly SydentSchemaObject[] = [
  {
    type: "table",
    name: "invite_tokens",
    tblName: "invite_tokens",
    sql: "CREATE TABLE invite_tokens (\n    id integer primary key,\n    medium varchar(16) not null,\n    address varchar(256) not null,\n    room_id varchar(256) not null,\n    sender varchar(256) not null,\n    token varchar(256) not null,\n    received_ts bigint, -- When the invite was received by us from the homeserver\n    sent_ts bigint -- When the token was sent by us to the user\n)",
  },
  {
    type: "index",
    name: "invite_token_medium_address",
    tblName: "invite_tokens",
    sql: "CREATE INDEX invite_token_medium_address on invite_tokens(medium, address)",
  },
  {
    type: "index",
    name: "invite_token_token",
    tblName: "invite_tokens",
    sql: "CREATE INDEX invite_token_token on invite_tokens(token)",
  },
  {
    type: "table",
    name: "ephemeral_public_keys",
    tblName: "ephemeral_public_keys",
    sql: "CREATE TABLE ephemeral_public_keys(\n    id integer primary key,\n    public_key varchar(256) not null,\n    verify_count bigint default 0,\n    persistence_ts bigint\n)",
  },
  {
    type: "index",
    name: "ephemeral_public_keys_index",
    tblName: "ephemeral_public_keys",
    sql: "CREATE UNIQUE INDEX ephemeral_public_keys_index on ephemeral_public_keys(public_key)",
  },
  {
    type: "table",
    name: "threepid_validation_sessions",
    tblName: "threepid_validation_sessions",
    sql: "CREATE TABLE threepid_validation_sessions (id integer primary key, medium varchar(16) not null, address varchar(256) not null, clientSecret varchar(32) not null, validated int default 0, mtime bigint not null)",
  },
  {
    type: "table",
    name: "threepid_token_auths",
    tblName: "threepid_token_auths",
    sql: "CREATE TABLE threepid_token_auths (id integer primary key, validationSession integer not null, token varchar(32) not null, sendAttemptNumber integer not null, foreign key (validationSession) references threepid_validations(id))",
  },
  {
    type: "table",
    name: "peers",
    tblName: "peers",
    sql: "CREATE TABLE peers (id integer primary key, name varchar(255) not null, port integer default null, lastSentVersion integer, lastPokeSucceededAt integer, active integer not null default 0)",
  },
  {
    type: "index",
    name: "name",
    tblName: "peers",
    sql: "CREATE UNIQUE INDEX name on peers(name)",
  },
  {
    type: "table",
    name: "peer_pubkeys",
    tblName: "peer_pubkeys",
    sql: "CREATE TABLE peer_pubkeys (id integer primary key, peername varchar(255) not null, alg varchar(16) not null, key text not null, foreign key (peername) references peers (name))",
  },
  {
    type: "index",
    name: "peername_alg",
    tblName: "peer_pubkeys",
    sql: "CREATE UNIQUE INDEX peername_alg on peer_pubkeys(peername, alg)",
  },
  {
    type: "table",
    name: "local_threepid_associations",
    tblName: "local_threepid_associations",
    sql: "CREATE TABLE local_threepid_associations (id integer primary key autoincrement, medium varchar(16) not null, address varchar(256) not null, mxid varchar(256), ts integer, notBefore bigint, notAfter bigint, lookup_hash VARCHAR(256))",
  },
  {
    type: "table",
    name: "sqlite_sequence",
    tblName: "sqlite_sequence",
    sql: "CREATE TABLE sqlite_sequence(name,seq)",
  },
  {
    type: "index",
    name: "local_threepid_medium_address",
    tblName: "local_threepid_associations",
    sql: "CREATE UNIQUE INDEX local_threepid_medium_address on local_threepid_associations(medium, address)",
  },
  {
    type: "table",
    name: "global_threepid_associations",
    tblName: "global_threepid_associations",
    sql: "CREATE TABLE global_threepid_associations (id integer primary key autoincrement, medium varchar(16) not null, address varchar(256) not null, mxid varchar(256) not null, ts integer not null, notBefore bigint not null, notAfter integer not null, originServer varchar(255) not null, originId integer not null, sgAssoc text not null, lookup_hash VARCHAR(256))",
  },
  {
    type: "index",
    name: "global_threepid_medium_address",
    tblName: "global_threepid_associations",
    sql: "CREATE INDEX global_threepid_medium_address on global_threepid_associations (medium, address)",
  },
  {
    type: "index",
    name: "global_threepid_medium_lower_address",
    tblName: "global_threepid_associations",
    sql: "CREATE INDEX global_threepid_medium_lower_address on global_threepid_associations (medium, lower(address))",
  },
  {
    type: "index",
    name: "global_threepid_originServer_originId",
    tblName: "global_threepid_associations",
    sql: "CREATE UNIQUE INDEX global_threepid_originServer_originId on global_threepid_associations (originServer, originId)",
  },
  {
    type: "index",
    name: "threepid_validation_sessions_mtime",
    tblName: "threepid_validation_sessions",
    sql: "CREATE INDEX threepid_validation_sessions_mtime ON threepid_validation_sessions(mtime)",
  },
  {
    type: "table",
    name: "hashing_metadata",
    tblName: "hashing_metadata",
    sql: "CREATE TABLE hashing_metadata (id integer primary key, lookup_pepper varchar(256))",
  },
  {
    type: "table",
    name: "accounts",
    tblName: "accounts",
    sql: "CREATE TABLE accounts(user_id TEXT NOT NULL PRIMARY KEY, created_ts BIGINT NOT NULL, consent_version TEXT)",
  },
  {
    type: "table",
    name: "tokens",
    tblName: "tokens",
    sql: "CREATE TABLE tokens(token TEXT NOT NULL PRIMARY KEY, user_id TEXT NOT NULL)",
  },
  {
    type: "table",
    name: "accepted_terms_urls",
    tblName: "accepted_terms_urls",
    sql: "CREATE TABLE accepted_terms_urls(user_id TEXT NOT NULL, url TEXT NOT NULL)",
  },
  {
    type: "index",
    name: "accepted_terms_urls_idx",
    tblName: "accepted_terms_urls",
    sql: "CREATE UNIQUE INDEX accepted_terms_urls_idx ON accepted_terms_urls (user_id, url)",
  },
  {
    type: "index",
    name: "global_threepid_lookup_hash",
    tblName: "global_threepid_associations",
    sql: "CREATE INDEX global_threepid_lookup_hash ON global_threepid_associations(lookup_hash)",
  },
];

/** The statements to run, in order, on an empty database to get Sydent's schema. */
export function sydentDdlStatements(): string[] {
  return [
    ...SYDENT_SCHEMA.filter((o) => !IMPLICIT_OBJECTS.has(o.name)).map((o) => o.sql),
    `PRAGMA user_version = ${SYDENT_USER_VERSION}`,
  ];
}
