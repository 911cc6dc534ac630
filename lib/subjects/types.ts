// The shared shape of "everything held about a person" (issue: subjects and exports).
// Produced by lib/subjects/search.ts (identity databases) and lib/logs/search.ts (log files);
// consumed by the subjects page (masked), the reveal action, the package builder and the
// erasure preview. Values here are IN CLEAR: mask before anything leaves the server.

export type Medium = "email" | "msisdn";

/** A parsed, normalised search input (lib/subjects/parse.ts). */
export type SubjectQuery =
  | { kind: "email"; address: string }
  | { kind: "msisdn"; address: string }
  | { kind: "mxid"; mxid: string }
  | { kind: "lookup_hash"; hash: string };

export type ServerRef = { id: string; label: string; serverName: string };

export type PeerDelivery = { peer: string; active: boolean; received: boolean };

export type AssociationFinding = {
  table: "local" | "global";
  id: number;
  medium: Medium;
  address: string;
  /** null on a tombstone. */
  mxid: string | null;
  tsMs: number | null;
  notBeforeMs: number | null;
  notAfterMs: number | null;
  /** For local rows: this server's name. */
  originServer: string;
  originId: number;
  state: "bound" | "tombstone";
  /** The lookup hash exists (its value is pseudonymous personal data, shown only on reveal). */
  lookupHash: string | null;
  /** Local rows: which peers have received this row (peers.lastSentVersion >= id). */
  deliveredTo?: PeerDelivery[];
  /** Global rows: the signed association carries an "invites" array (sydent.md 2.1). */
  sgAssocCarriesInvites?: boolean;
  /** Global rows: notBefore < now < notAfter, i.e. lookups on this server answer with it. */
  answersLookupsNow?: boolean;
};

export type SessionFinding = {
  sid: string;
  medium: Medium;
  /** As typed by the person (Sydent does not casefold sessions). */
  addressAsStored: string;
  validated: boolean;
  mtimeMs: number;
  tokenRows: number;
  /** Secrets exist but are never read into this structure. */
  secretsHeld: ("client_secret" | "validation_token")[];
};

export type InviteFinding = {
  id: number;
  direction: "to" | "from";
  medium: Medium;
  address: string;
  roomId: string;
  sender: string;
  /** SECONDS, as Sydent stores them. */
  receivedTs: number | null;
  sentTs: number | null;
  state: "pending" | "sent_not_deleted";
};

export type AccountFinding = {
  userId: string;
  createdTsMs: number;
  consentVersion: string | null;
  activeTokens: number;
  acceptedTermsUrls: string[];
};

/** Another person's global row whose sgAssoc embeds this subject's data (the invite leak). */
export type EmbeddedFinding = {
  globalId: number;
  /** The row's own (third-party) binding. */
  rowMedium: Medium;
  rowAddress: string;
  rowMxid: string;
  originServer: string;
  /** What of the subject is embedded. */
  embeds: ("address" | "mxid")[];
  /** In which role the subject appears in the embedded invites (truth.json's present_as). */
  presentAs?: ("invitee" | "sender")[];
  /** Rooms of the embedded invites that mention the subject. */
  inviteRoomIds?: string[];
};

export type ServerFindings = {
  server: ServerRef;
  ok: boolean;
  /** Set when the identity database could not be read (missing, locked, not Sydent, ...). */
  error?: string;
  associations: AssociationFinding[];
  sessions: SessionFinding[];
  invitesTo: InviteFinding[];
  invitesFrom: InviteFinding[];
  account: AccountFinding | null;
  /** Every v2 account found (one per Matrix ID of the subject); `account` is the first. */
  accounts?: AccountFinding[];
  embeddedInOthers: EmbeddedFinding[];
  /** Peers of this server (recipients, Art. 15(1)(c)). */
  peers: { name: string; active: boolean }[];
  timingsMs: Record<string, number>;
};

/** Progress of a long search (chunked scans), for the page and the CLI. */
export type SearchProgress = { server: string; step: string; chunksDone?: number };

export type LogFinding = {
  file: string;
  source: "sydent" | "haproxy";
  /** Server label for Sydent logs; "haproxy" otherwise. */
  origin: string;
  lineNo: number;
  /** The line's own timestamp, ISO 8601 UTC, when it could be parsed. */
  at: string | null;
  line: string;
  /** Which needles matched (kinds only, e.g. "email", "email-urlencoded", "mxid", "sid"). */
  matched: string[];
  /** When this copy is due to disappear under its retention policy (ISO), if known. */
  expiresAt: string | null;
  /** Added by lib/logs: the retention class that governs the line (lib/logs/retention.ts). */
  retentionClass?: "lookup" | "haproxy" | "application" | "connection";
  /** Added by lib/logs: expiresAt is already past (the copy should be gone). */
  overdue?: boolean;
};

export type LogFileProblem = {
  file: string;
  /** "bad-pattern" and "binary-content" added by lib/logs (unsupported glob; NUL bytes / invalid UTF-8 in lines). */
  problem: "missing" | "unreadable" | "truncated" | "corrupt-gzip" | "not-a-file" | "bad-pattern" | "binary-content";
  detail: string;
};

/** Per file and retention class (added by lib/logs): when the class's copies are due to be gone. */
export type LogRetentionEntry = {
  class: "lookup" | "haproxy" | "application" | "connection";
  lines: number;
  periodDays: number;
  expiresAt: string | null;
  overdue: boolean;
};

export type LogSearchReport = {
  filesSearched: number;
  linesScanned: number;
  bytesRead: number;
  problems: LogFileProblem[];
  /** Per file: newest line time and when the file as a whole expires. */
  files: {
    file: string;
    source: "sydent" | "haproxy";
    matches: number;
    newestLineAt: string | null;
    expiresAt: string | null;
    /** Fields below added by lib/logs. */
    origin?: string;
    rotated?: boolean;
    gzip?: boolean;
    lines?: number;
    bytes?: number;
    oldestLineAt?: string | null;
    retention?: LogRetentionEntry[];
    /** Some content of this file is past its retention period. */
    overdue?: boolean;
  }[];
  /** Added by lib/logs: the search was stopped through its AbortSignal (results are partial). */
  aborted?: boolean;
};

export type SubjectFindings = {
  query: SubjectQuery;
  /** Identifiers of this person discovered by the search (the query's, plus linked ones). */
  identifiers: { emails: string[]; msisdns: string[]; mxids: string[]; sids: string[] };
  /** True when Matrix-ID-to-3PID expansion was applied (dpo only: reverse lookup). */
  expanded: boolean;
  servers: ServerFindings[];
  logs: { findings: LogFinding[]; report: LogSearchReport } | null;
  foundAnywhere: boolean;
  searchedAt: string;
  /** Set when the findings were narrowed to a request's verified identifiers (lib/exports/scope.ts). */
  scope?: SubjectScope;
};

/** What narrowing to the verified identifiers left out, for the DPO (never in a package). */
export type SubjectScope = {
  /** Identifiers found through a verified one but not verified themselves: a DPO confirms each or not. */
  candidates: { type: "email" | "msisdn" | "mxid"; value: string; via: string }[];
  /** Verified 3PIDs now bound to an account outside the verified identifiers (not named in a package). */
  linkedElsewhere: { type: "email" | "msisdn"; value: string; sinceMs: number }[];
  /** What was held back because it may belong to the other holder of a shared address. */
  withheld: { associations: number; sessions: number; invites: number; accounts: number; logLines: number };
};
