import { StatementTimer } from "@/lib/subjects/search-scan";
import type { SearchServer } from "@/lib/subjects/search";
import type { SubjectFindings, SubjectQuery } from "@/lib/subjects/types";
import type { HandAnswer } from "@/lib/bench/hand";

// Custodian's side of the benchmark: the real modules, imported lazily (after the benchmark has
// pointed process.env at its temporary console database). Nothing is re-implemented here.

export type CountedFindings = Pick<SubjectFindings, "identifiers" | "servers" | "expanded" | "foundAnywhere">;

export async function custodianSearch(query: SubjectQuery, expand: boolean, servers: SearchServer[]): Promise<CountedFindings> {
  const { searchIdentityServers } = await import("@/lib/subjects/search");
  return searchIdentityServers(query, { expand, servers });
}

/** Record counts of a Custodian result, in the shape of a hand answer (for the answer check). */
export function countsOf(f: CountedFindings): HandAnswer {
  const a: HandAnswer = { associations: 0, sessions: 0, tokenRows: 0, invitesTo: 0, invitesFrom: 0, accounts: 0, activeTokens: 0, terms: 0 };
  for (const s of f.servers) {
    a.associations += s.associations.length;
    a.sessions += s.sessions.length;
    a.tokenRows += s.sessions.reduce((n, x) => n + x.tokenRows, 0);
    a.invitesTo += s.invitesTo.length;
    a.invitesFrom += s.invitesFrom.length;
    const accounts = s.accounts ?? (s.account ? [s.account] : []);
    a.accounts += accounts.length;
    a.activeTokens += accounts.reduce((n, x) => n + x.activeTokens, 0);
    a.terms += accounts.reduce((n, x) => n + x.acceptedTermsUrls.length, 0);
  }
  return a;
}

/**
 * Statement time of a result from its own per-statement timings, split into the sgAssoc
 * embedded-data check and everything else (JS work between statements is in neither).
 */
export function statementMsOf(f: CountedFindings): { sgAssoc: number; other: number } {
  const out = { sgAssoc: 0, other: 0 };
  for (const s of f.servers) {
    for (const [k, v] of Object.entries(s.timingsMs)) {
      if (k === "slowest statement" || /\((slowest|statements)\)$/.test(k)) continue;
      if (k.startsWith("sgAssoc")) out.sgAssoc += v;
      else out.other += v;
    }
  }
  return out;
}

/** The embedded-data check alone, on a connection (cold: first call on a fresh connection scans sgAssoc in chunks). */
export async function custodianEmbedded(dbPaths: string[], needles: { addresses: Set<string>; mxids: Set<string> }): Promise<number> {
  const { sydentRaw } = await import("@/lib/sydent/open");
  const { findEmbedded } = await import("@/lib/subjects/search-embedded");
  let n = 0;
  for (const file of dbPaths) n += (await findEmbedded(sydentRaw(file), new StatementTimer(), needles)).length;
  return n;
}

/** Drops Custodian's cached identity-database connections (and with them the sgAssoc invite index). */
export async function closeCustodianConnections(): Promise<void> {
  const { closeSydent } = await import("@/lib/sydent/open");
  await closeSydent();
}

/** Writes one access-log entry the way a search does (its own transaction). */
export async function custodianRecordAccess(type: "email" | "msisdn" | "mxid", value: string): Promise<void> {
  const { recordAccess } = await import("@/lib/audit/log");
  await recordAccess({
    actor: { id: null, label: "cli:bench", role: "support" },
    action: "subject.search",
    target: { type, value },
    outcome: "ok",
    details: { servers: 2, benchmark: true },
  });
}

/** Package generation as the workflow does it, minus the log-file scan: search, access history, build, zip. */
export async function custodianPackage(query: SubjectQuery, servers: SearchServer[], now: Date): Promise<{ zipBytes: number; files: number; stepsMs: Record<string, number> }> {
  const { accessHistoryFor } = await import("@/lib/exports/collect");
  const { buildPackage } = await import("@/lib/exports/build");
  const { zipFiles } = await import("@/lib/exports/zip");
  const t0 = performance.now();
  const found = await custodianSearch(query, true, servers);
  const findings: SubjectFindings = { ...found, query, logs: null, searchedAt: now.toISOString() };
  const t1 = performance.now();
  const accessHistory = await accessHistoryFor(findings);
  const t2 = performance.now();
  const built = buildPackage({ findings, request: { id: "bench", reference: "BENCH-1" }, kind: "access", accessHistory, generatedAt: now });
  const t3 = performance.now();
  const zipped = await zipFiles(built.files, now);
  const t4 = performance.now();
  return { zipBytes: zipped.zip.length, files: built.files.length, stepsMs: { search: t1 - t0, accessHistory: t2 - t1, build: t3 - t2, zip: t4 - t3 } };
}
