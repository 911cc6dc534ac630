import fs from "node:fs";
import path from "node:path";
import { FIXTURE_DIR, INSTANCES, fixtureDb, truth } from "@/lib/sydent/test-fixtures";
import { searchIdentityServers } from "@/lib/subjects/search";
import type { LogFinding, SubjectFindings, SubjectQuery } from "@/lib/subjects/types";

// Test helpers for the subjects view model and actions: real findings from the real Sydent
// fixture (no console database needed), and log findings from the fixture's real log files
// found the way an operator would grep them (address, URL-encoded address, Matrix ID, session ids).

export type TruthSubject = {
  key: string;
  mxid: string | null;
  threepids: { medium: "email" | "msisdn"; address: string; spellings_seen?: string[] }[];
  validation_sessions: { sid: number; address_as_stored: string }[];
  invites_from: { address: string; address_as_submitted?: string }[];
  invites_to: { sender?: string }[];
};
export const SUBJECTS: TruthSubject[] = (JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, "truth.json"), "utf8")) as { subjects: TruthSubject[] }).subjects;

export const FIXTURE_SERVERS = INSTANCES.map((i) => ({ id: `srv-${i}`, label: i, serverName: truth.instances[i].server_name, dbPath: fixtureDb(i) }));

/** Every identifier of every person in truth.json (all spellings). */
export function identifiersOf(s: TruthSubject): string[] {
  return [
    ...(s.mxid ? [s.mxid] : []),
    ...s.threepids.flatMap((t) => [t.address, ...(t.spellings_seen ?? [])]),
    ...s.validation_sessions.map((v) => v.address_as_stored),
  ];
}

const LOG_FILES = [
  { file: "is1/sydent.log", source: "sydent" as const, origin: "is1" },
  { file: "is2/sydent.log", source: "sydent" as const, origin: "is2" },
  { file: "haproxy/haproxy.log", source: "haproxy" as const, origin: "haproxy" },
];

export function grepLogs(ids: SubjectFindings["identifiers"]): NonNullable<SubjectFindings["logs"]> {
  const needles = [
    ...ids.emails.flatMap((e) => [e, encodeURIComponent(e)]),
    ...ids.msisdns, ...ids.mxids, ...ids.sids.map(String),
  ].filter(Boolean);
  const findings: LogFinding[] = [];
  const files = LOG_FILES.map(({ file, source, origin }) => {
    const lines = fs.readFileSync(path.join(FIXTURE_DIR, file), "utf8").split("\n");
    let matches = 0;
    lines.forEach((line, n) => {
      const lower = line.toLowerCase();
      const hit = needles.filter((x) => lower.includes(x.toLowerCase()));
      if (hit.length === 0) return;
      matches++;
      findings.push({ file, source, origin, lineNo: n + 1, at: null, line, matched: ["grep"], expiresAt: "2027-01-26T14:17:58.000Z" });
    });
    return { file, source, matches, newestLineAt: null, expiresAt: "2027-01-26T14:17:58.000Z" };
  });
  return { findings, report: { filesSearched: files.length, linesScanned: 0, bytesRead: 0, problems: [], files } };
}

/** A full SubjectFindings for a query, searched on the fixture (databases) and grepped (logs). */
export async function fixtureFindings(query: SubjectQuery, expand: boolean): Promise<SubjectFindings> {
  const r = await searchIdentityServers(query, { expand, servers: FIXTURE_SERVERS });
  const logs = grepLogs(r.identifiers);
  return { query, ...r, logs, foundAnywhere: r.foundAnywhere || logs.findings.length > 0, searchedAt: "2026-11-27T14:17:58.000Z" };
}
