import type { SubjectFindings, SubjectQuery } from "@/lib/subjects/types";
import { maskIdentifier } from "@/lib/subjects/present-mask";
import { presentLogs, presentServer, type LogsView, type ServerView } from "@/lib/subjects/present-parts";

export { maskEmailAddress, maskIdentifier, maskMsisdn, maskMxid, shortenHash } from "@/lib/subjects/present-mask";

// The view model of a subject search for the browser (and the CLI's JSON). Built on the server
// from SubjectFindings (values in clear): with reveal=false every identifier of the subject is
// masked and log lines are left out; with reveal=true the subject's own identifiers are shown but
// other people's identifiers stay masked and secrets never appear (their existence is stated).
// Everything here is plain JSON (no BigInt, no Date) so it can cross the server/client boundary.

export const QUERY_KIND_LABELS: Record<SubjectQuery["kind"], string> = {
  email: "E-mail address",
  msisdn: "Phone number",
  mxid: "Matrix ID",
  lookup_hash: "Lookup hash",
};

export function queryValue(q: SubjectQuery): string {
  return q.kind === "mxid" ? q.mxid : q.kind === "lookup_hash" ? q.hash : q.address;
}

/** Reveal-aware display of one of the subject's own identifiers. */
export type Shown = (kind: "email" | "msisdn" | "mxid" | "lookup_hash", value: string) => string;

export type SubjectView = {
  revealed: boolean;
  query: { kind: SubjectQuery["kind"]; kindLabel: string; display: string };
  foundAnywhere: boolean;
  expanded: boolean;
  searchedAt: string;
  identifiers: { emails: string[]; msisdns: string[]; mxids: string[]; sessionCount: number };
  totals: {
    servers: number; serversWithData: number; associations: number; bound: number; tombstones: number;
    sessions: number; invitesTo: number; invitesFrom: number; accounts: number; embeddedInOthers: number; logMatches: number;
  };
  servers: ServerView[];
  logs: LogsView | null;
  /** Active restrictions of processing (Art. 18) on any identifier of the person: a flag staff must see. */
  restrictions?: { masked: string; ground: string; groundLabel: string; since: string }[];
  /** Requests this person is linked to (references only; filled in by lib/subjects/reveal.ts). */
  linkedRequests?: import("@/lib/subjects/linked-requests").LinkedRequest[];
};

export type PresentOptions = { reveal: boolean };

export function presentFindings(findings: SubjectFindings, { reveal }: PresentOptions): SubjectView {
  const shown: Shown = (kind, value) => (reveal ? value : maskIdentifier(kind, value));
  const ids = findings.identifiers;
  const servers = findings.servers.map((s) => presentServer(s, shown, reveal));
  const sum = (f: (s: ServerView) => number) => servers.reduce((n, s) => n + f(s), 0);
  const logs = findings.logs ? presentLogs(findings.logs, ids, reveal) : null;
  return {
    revealed: reveal,
    query: { kind: findings.query.kind, kindLabel: QUERY_KIND_LABELS[findings.query.kind], display: shown(findings.query.kind, queryValue(findings.query)) },
    foundAnywhere: findings.foundAnywhere,
    expanded: findings.expanded,
    searchedAt: findings.searchedAt,
    identifiers: {
      emails: ids.emails.map((e) => shown("email", e)),
      msisdns: ids.msisdns.map((m) => shown("msisdn", m)),
      mxids: ids.mxids.map((m) => shown("mxid", m)),
      sessionCount: ids.sids.length,
    },
    totals: {
      servers: servers.length,
      serversWithData: servers.filter((s) => s.hasData).length,
      associations: sum((s) => s.associations.length),
      bound: sum((s) => s.counts.bound),
      tombstones: sum((s) => s.counts.tombstones),
      sessions: sum((s) => s.sessions.length),
      invitesTo: sum((s) => s.invites.to.count),
      invitesFrom: sum((s) => s.invites.from.count),
      accounts: sum((s) => (s.account.present ? 1 : 0)),
      embeddedInOthers: sum((s) => s.embeddedInOthers.count),
      logMatches: logs?.matches ?? 0,
    },
    servers,
    logs,
  };
}
