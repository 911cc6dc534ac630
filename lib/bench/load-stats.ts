import fs from "node:fs";

// Statistics over the kit's load-driver CSVs (`ts,instance,kind,status,ms`; status 0 = no HTTP
// answer): per request kind and for all lookups together (v1, v2, bulk), requests, failures
// (anything but HTTP 200), p50 / p99 / max latency. Set-up requests (register, terms,
// hash_details) are counted apart: they are the driver's own preparation, not the load.

export type KindStats = { requests: number; failures: number; p50_ms: number; p99_ms: number; max_ms: number };
export type LoadWindowStats = {
  files: number;
  requests: number;
  failures: number;
  failuresByKindStatus: Record<string, number>;
  lookups: KindStats;
  byKind: Record<string, KindStats>;
  setupRequests: number;
  setupFailures: number;
};

const LOOKUPS = new Set(["v1", "v2", "bulk"]);
const SETUP = new Set(["register", "terms", "hash_details"]);

function pct(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function stats(rows: { status: number; ms: number }[]): KindStats {
  const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
  return { requests: rows.length, failures: rows.filter((r) => r.status !== 200).length, p50_ms: pct(ms, 0.5), p99_ms: pct(ms, 0.99), max_ms: ms[ms.length - 1] ?? 0 };
}

export function loadStats(csvFiles: string[]): LoadWindowStats {
  const rows: { kind: string; status: number; ms: number }[] = [];
  for (const f of csvFiles) {
    const lines = fs.readFileSync(f, "utf8").trim().split("\n").slice(1);
    for (const line of lines) {
      const [, , kind, status, ms] = line.split(",");
      if (kind) rows.push({ kind, status: Number(status), ms: Number(ms) });
    }
  }
  const load = rows.filter((r) => !SETUP.has(r.kind));
  const setup = rows.filter((r) => SETUP.has(r.kind));
  const byKind: Record<string, KindStats> = {};
  for (const k of [...new Set(load.map((r) => r.kind))].sort()) byKind[k] = stats(load.filter((r) => r.kind === k));
  const failuresByKindStatus: Record<string, number> = {};
  for (const r of [...load, ...setup]) if (r.status !== 200) failuresByKindStatus[`${r.kind}:${r.status}`] = (failuresByKindStatus[`${r.kind}:${r.status}`] ?? 0) + 1;
  return {
    files: csvFiles.length,
    requests: load.length,
    failures: load.filter((r) => r.status !== 200).length,
    failuresByKindStatus,
    lookups: stats(load.filter((r) => LOOKUPS.has(r.kind))),
    byKind,
    setupRequests: setup.length,
    setupFailures: setup.filter((r) => r.status !== 200).length,
  };
}
