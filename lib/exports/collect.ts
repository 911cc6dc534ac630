import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { decryptSecret } from "@/lib/keys";
import type { AccessHistoryEntry } from "@/lib/exports/types";
import type { ServerFindings, SubjectFindings, SubjectQuery } from "@/lib/subjects/types";
import { accountsOf } from "@/lib/subjects/accounts";
import { purposeCategory } from "@/lib/subjects/purposes";
import { scopeToVerified } from "@/lib/exports/scope";

// Gathering what goes into a package: one search per identifier linked to the request (merged,
// duplicates removed), and the console's own access-log entries about this person.

export type Finder = (q: SubjectQuery, o: { expand: boolean }) => Promise<SubjectFindings>;

const uniq = <T>(xs: T[], key: (x: T) => string) => [...new Map(xs.map((x) => [key(x), x])).values()];

function mergeServer(a: ServerFindings, b: ServerFindings): ServerFindings {
  return {
    ...a,
    ok: a.ok && b.ok,
    error: a.error ?? b.error,
    associations: uniq([...a.associations, ...b.associations], (x) => `${x.table}:${x.id}`),
    sessions: uniq([...a.sessions, ...b.sessions], (x) => x.sid),
    invitesTo: uniq([...a.invitesTo, ...b.invitesTo], (x) => String(x.id)),
    invitesFrom: uniq([...a.invitesFrom, ...b.invitesFrom], (x) => String(x.id)),
    account: a.account ?? b.account,
    accounts: uniq([...accountsOf(a), ...accountsOf(b)], (x) => x.userId),
    embeddedInOthers: uniq([...a.embeddedInOthers, ...b.embeddedInOthers], (x) => String(x.globalId)),
  };
}

export type LinkedSubject = { type: "email" | "msisdn" | "mxid"; value: string };

/**
 * The identifiers linked to a request, in clear (server side only). Same reading as
 * lib/subjects/link.ts readRequestSubjects (key "subject-identifier-v1"), repeated here so the
 * package builder does not import the subjects page's modules (and their log-search chain).
 */
export async function readLinkedSubjects(requestId: string): Promise<LinkedSubject[]> {
  const rows = await db().requestSubject.findMany({ where: { requestId }, orderBy: { createdAt: "asc" }, select: { type: true, valueEnc: true } });
  return rows.map((r) => ({ type: r.type as LinkedSubject["type"], value: decryptSecret(r.valueEnc, "subject-identifier-v1") }));
}

/** Merges the findings of several searches for the same person into one. */
export function mergeFindings(all: SubjectFindings[]): SubjectFindings {
  if (all.length === 0) throw new Error("Nothing to merge");
  const [first, ...rest] = all;
  const servers = new Map(first.servers.map((s) => [s.server.id, s]));
  for (const f of rest) for (const s of f.servers) servers.set(s.server.id, servers.has(s.server.id) ? mergeServer(servers.get(s.server.id)!, s) : s);
  const ids = (k: keyof SubjectFindings["identifiers"]) => [...new Set(all.flatMap((f) => f.identifiers[k]))];
  const logs = all.filter((f) => f.logs).map((f) => f.logs!);
  return {
    query: first.query,
    identifiers: { emails: ids("emails"), msisdns: ids("msisdns"), mxids: ids("mxids"), sids: ids("sids") },
    expanded: all.some((f) => f.expanded),
    servers: [...servers.values()],
    logs: logs.length === 0 ? null : {
      findings: uniq(logs.flatMap((l) => l.findings), (x) => `${x.file}:${x.lineNo}`),
      report: { ...logs[0].report, problems: uniq(logs.flatMap((l) => l.report.problems), (p) => `${p.file}:${p.problem}`) },
    },
    foundAnywhere: all.some((f) => f.foundAnywhere),
    searchedAt: first.searchedAt,
  };
}

export function queryFor(s: LinkedSubject): SubjectQuery {
  return s.type === "mxid" ? { kind: "mxid", mxid: s.value } : { kind: s.type, address: s.value };
}

/**
 * Runs the search for every linked identifier (with Matrix-ID expansion: exports are dpo work),
 * then narrows the result to the linked (verified) identifiers: what the expansion found beyond
 * them is listed in `scope.candidates`, never pulled in (lib/exports/scope.ts).
 */
export async function collectFindings(subjects: LinkedSubject[], find?: Finder): Promise<SubjectFindings> {
  const finder = find ?? ((await import("@/lib/subjects/find")).findSubject as Finder);
  const results: SubjectFindings[] = [];
  for (const s of subjects) results.push(await finder(queryFor(s), { expand: true }));
  return scopeToVerified(mergeFindings(results), subjects);
}

/** Every pseudonym the access log may hold for this person. */
export function pseudonymsOf(f: SubjectFindings): string[] {
  const hashes = f.servers.flatMap((s) => s.associations.map((a) => a.lookupHash)).filter((h): h is string => !!h);
  return [...new Set([
    ...f.identifiers.emails.map((v) => pseudonymFor("email", v)),
    ...f.identifiers.msisdns.map((v) => pseudonymFor("msisdn", v)),
    ...f.identifiers.mxids.map((v) => pseudonymFor("mxid", v)),
    ...hashes.map((h) => pseudonymFor("lookup_hash", h)),
  ])];
}

/**
 * Access-log entries about this person: when, role, action, purpose category, outcome. Never who,
 * and never a purpose's free-text note (staff wrote it for auditors, not for release).
 */
export async function accessHistoryFor(f: SubjectFindings): Promise<AccessHistoryEntry[]> {
  const pseudonyms = pseudonymsOf(f);
  if (pseudonyms.length === 0) return [];
  const rows = await db().accessLogEntry.findMany({
    where: { targetPseudonym: { in: pseudonyms } },
    orderBy: { seq: "asc" },
    select: { seq: true, hash: true, at: true, actorRole: true, action: true, purpose: true, outcome: true },
  });
  return rows.map((r) => ({ at: r.at, role: r.actorRole, action: r.action, purpose: purposeCategory(r.purpose), outcome: r.outcome, seq: r.seq, hash: r.hash }));
}
