import { holdsIpAddress, requestTarget, sydentLogger, type LogSource } from "@/lib/logs/parse";

// Retention periods for log lines, from the privacy notice (shared/seed/privacy-notice.md):
//
// - "lookup" 7 days — 3.2.2 "Third Party Identifiers you look up": "Third Party Identifiers that
//   are looked up are logged in our application logs. These logs are kept for not longer than
//   7 days." Sydent lines about lookups: the Twisted access line of v1 /lookup, v1 /bulk_lookup
//   and v2 /lookup (the v1 GET carries the address in its query string), and the lookup servlets'
//   own lines ("Lookup of %d threepid(s)", "Bulk lookup of %d threepids").
// - "haproxy" 60 days — 3.2.2, same paragraph: "Haproxy logs may be kept up to 60 days." Every
//   HAProxy line, although it holds the client IP and the same lookup query strings: the notice
//   names HAProxy logs specifically, so 60 days is what it promises for them.
// - "application" 60 days — 3.9 "We log application data (caller IP and user agent). We keep logs
//   for no longer than 60 days." Every other Sydent line (access lines of other endpoints, mails
//   sent, binds, replication, tracebacks).
// - "connection" 180 days — 3.2.2 "Connection Information": "we log the IP address of the party
//   who accesses the Service ... Our logs are kept for not longer than 180 days." An outer bound
//   for any line that holds an IP address.
//
// A line falls under every promise that applies to it and is kept for the SHORTEST of their
// periods; its class is the one that gives that period (ties: the more specific class, in the
// order lookup, haproxy, application, connection). With the defaults: Sydent /lookup access
// lines 7 days, other Sydent lines 60, HAProxy lines 60; "connection" wins only when a policy
// sets the others above 180 days. Continuation lines (tracebacks) inherit their record's class.
//
// Copies: a rotated file is deleted as a whole, so its copy of a line disappears when the file's
// NEWEST line passes the line's period (newest line + period). The current file is still being
// written; its lines are due at their own time + period (rotation must have moved and aged them
// by then), so for the current file the first line of a class to fall due sets the class's date.

export type RetentionClass = "lookup" | "haproxy" | "application" | "connection";
export const RETENTION_CLASSES: readonly RetentionClass[] = ["lookup", "haproxy", "application", "connection"];

/** Periods in days, per class. A later issue stores policies in the console database. */
export type RetentionPolicy = { periodDays: Record<RetentionClass, number> };

export const DEFAULT_RETENTION_POLICY: RetentionPolicy = Object.freeze({
  periodDays: Object.freeze({ lookup: 7, haproxy: 60, application: 60, connection: 180 }),
});

export function retentionPolicy(overrides: Partial<Record<RetentionClass, number>> = {}): RetentionPolicy {
  const periodDays = { ...DEFAULT_RETENTION_POLICY.periodDays };
  for (const c of RETENTION_CLASSES) {
    const v = overrides[c];
    if (v !== undefined) {
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`Retention period for ${c} must be a non-negative number of days.`);
      periodDays[c] = v;
    }
  }
  return { periodDays };
}

const DAY_MS = 86_400_000;
export const periodMs = (p: RetentionPolicy, c: RetentionClass) => p.periodDays[c] * DAY_MS;

const LOOKUP_PATH = /^\/_matrix\/identity\/(?:api\/v1\/(?:lookup|bulk_lookup)|v2\/lookup)(?:[?#/]|$)/;
const LOOKUP_LOGGERS = new Set([
  "sydent.http.servlets.lookupservlet",
  "sydent.http.servlets.bulklookupservlet",
  "sydent.http.servlets.lookupv2servlet",
]);

/** The promises that apply to a line (not yet resolved to one class). */
export function applicableClasses(source: LogSource, line: string): RetentionClass[] {
  const out: RetentionClass[] = [];
  if (source === "haproxy") out.push("haproxy");
  else {
    const logger = sydentLogger(line);
    const target = logger === "twisted" ? requestTarget(line) : null;
    if ((target && LOOKUP_PATH.test(target)) || (logger && LOOKUP_LOGGERS.has(logger))) out.push("lookup");
    out.push("application");
  }
  if (holdsIpAddress(line)) out.push("connection");
  return out;
}

/** The class whose period governs a line under a policy (the shortest that applies). */
export function lineClass(policy: RetentionPolicy, source: LogSource, line: string): RetentionClass {
  let best: RetentionClass | null = null;
  for (const c of applicableClasses(source, line)) {
    if (best === null || policy.periodDays[c] < policy.periodDays[best]) best = c;
  }
  return best ?? "application";
}

export type CopyTiming = {
  /** The line's own time (current file) ... */
  lineAt: Date | null;
  /** ... or, for a rotated file, the time of the file's newest line. */
  fileNewestLineAt: Date | null;
  rotated: boolean;
};

/** When this copy of a line (or, given the file's newest line, a rotated file) is due to be gone. */
export function expiresAt(t: CopyTiming, cls: RetentionClass, policy: RetentionPolicy): Date | null {
  const base = t.rotated ? t.fileNewestLineAt : t.lineAt;
  return base ? new Date(base.getTime() + periodMs(policy, cls)) : null;
}

/** "When the last copies in logs will expire" for the package guide: the latest expiry, or null. */
export function lastCopyExpiresAt(findings: { expiresAt: string | null }[]): string | null {
  let max: string | null = null;
  for (const f of findings) if (f.expiresAt && (max === null || Date.parse(f.expiresAt) > Date.parse(max))) max = f.expiresAt;
  return max;
}
