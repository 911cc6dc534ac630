import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { analyseLogs, type AbuseRow, type Analysis, type Category } from "@/lib/abuse/analyse";
import type { ServerLogConfig } from "@/lib/logs/files";

// The abuse view's table: filter, sort and page the analysis on the server. The analysis of one
// window is kept for a minute so paging and sorting do not re-read every log file.

export const ABUSE_SORTS = ["count", "key", "lastSeen"] as const;

export type FindAbuseOptions = {
  from: Date;
  to: Date;
  category?: Category;
  kind?: string;
  q?: string;
  sort: (typeof ABUSE_SORTS)[number];
  dir: "asc" | "desc";
  page: number;
  pageSize: number;
};

const cache = new Map<string, { at: number; analysis: Promise<Analysis> }>();
const TTL_MS = 60_000;

export async function registeredLogConfigs(): Promise<ServerLogConfig[]> {
  const servers = await db().identityServer.findMany({ where: { disabledAt: null }, orderBy: { label: "asc" } });
  return servers.map((s) => ({ label: s.label, sydentLogPaths: JSON.parse(s.sydentLogPaths) as string[], haproxyLogPaths: JSON.parse(s.haproxyLogPaths) as string[] }));
}

export async function getAnalysis(from: Date, to: Date): Promise<Analysis> {
  const servers = await registeredLogConfigs();
  const key = JSON.stringify([servers, from.getTime(), to.getTime()]);
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.analysis;
  const analysis = analyseLogs(servers, { from, to });
  cache.set(key, { at: Date.now(), analysis });
  analysis.catch(() => cache.delete(key));
  return analysis;
}

/** A row's reference for URLs: the pseudonym of its key, never the address itself. */
export function rowRef(r: Pick<AbuseRow, "category" | "key">): string {
  const type = r.category === "source" || r.category === "network" ? "ip" : r.category === "domain" ? "domain" : r.category === "homeserver" ? "homeserver" : null;
  return type ? pseudonymFor(type, r.key).slice(0, 24) : pseudonymFor("lookup_hash", `${r.category}:${r.key}`).slice(0, 24);
}

export async function findAbuseRows(o: FindAbuseOptions) {
  const a = await getAnalysis(o.from, o.to);
  const q = o.q?.toLowerCase();
  const rows = a.rows.filter((r) => (!o.category || r.category === o.category) && (!o.kind || r.kind === o.kind) && (!q || r.key.toLowerCase().includes(q)));
  const dir = o.dir === "asc" ? 1 : -1;
  rows.sort((x, y) => {
    const c = o.sort === "key" ? x.key.localeCompare(y.key) : o.sort === "lastSeen" ? x.lastSeen - y.lastSeen : x.count - y.count;
    return c * dir || x.key.localeCompare(y.key);
  });
  const count = rows.length;
  const data = rows.slice((o.page - 1) * o.pageSize, o.page * o.pageSize);
  return { data, count, page: o.page, pageSize: o.pageSize, totalPages: Math.max(1, Math.ceil(count / o.pageSize)), analysis: a };
}

/** Hourly request counts of one source address (found by its reference), for the chart. */
export function seriesFor(a: Analysis, ref: string): { ip: string; points: [number, number][] } | null {
  for (const [ip, s] of a.series) {
    if (rowRef({ category: "source", key: ip }) === ref) return { ip, points: [...s.entries()].sort((x, y) => x[0] - y[0]) };
  }
  return null;
}
