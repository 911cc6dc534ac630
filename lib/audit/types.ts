// Shapes shared by every writer of the access log.

/** Who acted: a signed-in staff member, or an operator named on the command line. */
export type Actor = {
  /** Staff id, or null for a command-line operator not (yet) in the staff table. */
  id: string | null;
  /** Staff e-mail, or "cli:<name>". */
  label: string;
  role: string;
  ip?: string | null;
  userAgent?: string | null;
};

/** The person or thing an entry is about. Personal identifiers are pseudonymised, never stored. */
export type Target =
  | { type: "email" | "msisdn" | "mxid"; value: string }
  | { type: "lookup_hash"; value: string }
  /** A personal target whose pseudonym was computed earlier (pseudonymFor), e.g. a RequestSubject row. */
  | { type: "email" | "msisdn" | "mxid" | "lookup_hash"; pseudonym: string }
  /** Abuse-block targets, pseudonymised like people (lib/blocks): canonical IP/CIDR, domain, server name. */
  | { type: "ip" | "domain" | "homeserver"; value: string }
  | { type: "staff" | "request" | "server" | "checkpoint" | "batch"; ref: string };

export type Outcome = "ok" | "denied" | "error" | "not_found" | "invalid";

export type AccessLogInput = {
  actor: Actor;
  /** "<area>.<verb>", e.g. "request.create", "server.overview.view", "auth.signin". */
  action: string;
  target?: Target;
  requestId?: string | null;
  purpose?: string | null;
  outcome: Outcome;
  /** Extra facts without personal data (counts, ids of console rows, error codes). */
  details?: Record<string, unknown>;
  /** Defaults to now; only tests set it. */
  at?: Date;
};
