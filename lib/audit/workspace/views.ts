import { recordAccess } from "@/lib/audit/log";
import { getAccessLogHeadSeq } from "@/lib/audit/queries";
import type { Actor } from "@/lib/audit/types";
import { anomalyFlags, type Flag } from "@/lib/audit/workspace/anomalies";
import { sampleCsv, trailCsvStream } from "@/lib/audit/workspace/csv";
import { drawSample, type Sample } from "@/lib/audit/workspace/sample";
import { loggableRequestId, type TrailSearch } from "@/lib/audit/workspace/schemas";
import { countRequestTrail, findRequestTrail, getTrailScope, type TrailScope } from "@/lib/audit/workspace/trail";

// The workspace's reads with their access-log entries, shared by the pages, the routes and the
// CLI (and tested here rather than through Next): each writes its entry before returning data.
//   audit.flags.view    the anomaly flags (they name staff and entries), on every view
//   audit.trail.view    a page of a request's trail; an unknown id is logged as not_found
//   audit.trail.export  a request's whole trail as CSV (not_found likewise)
//   audit.sample.export the sample table as CSV, with the request ids
//   audit.evidence      an evidence pack, with seed, N, cut-off and the request ids

export const FLAG_WINDOW_DAYS = 30;

export async function viewFlags(actor: Actor, now = new Date()): Promise<Flag[]> {
  const flags = await anomalyFlags({ since: new Date(now.getTime() - FLAG_WINDOW_DAYS * 86_400_000), now });
  await recordAccess({ actor, action: "audit.flags.view", outcome: "ok", details: { windowDays: FLAG_WINDOW_DAYS, flags: flags.length, kinds: [...new Set(flags.map((f) => f.kind))] } });
  return flags;
}

export async function viewTrail(actor: Actor, requestId: string, search: TrailSearch) {
  const scope = await getTrailScope(requestId);
  if (!scope) {
    await recordAccess({ actor, action: "audit.trail.view", outcome: "not_found", details: { requestId: loggableRequestId(requestId) } });
    return null;
  }
  const result = await findRequestTrail({ scope, page: search.page, pageSize: search.pageSize, sort: search.sort, dir: search.dir });
  await recordAccess({
    actor, action: "audit.trail.view", outcome: "ok", target: { type: "request", ref: requestId },
    details: { entries: result.count, matchedBySubject: result.bySubject, page: search.page, pageSize: search.pageSize, sort: `${search.sort} ${search.dir}` },
  });
  return { scope, result };
}

/** The whole trail as a CSV stream, up to the head as the export starts (its own entry is not in it). */
export async function exportTrail(actor: Actor, requestId: string): Promise<{ scope: TrailScope; rows: number; stream: ReadableStream<Uint8Array> } | null> {
  const scope = await getTrailScope(requestId);
  if (!scope) {
    await recordAccess({ actor, action: "audit.trail.export", outcome: "not_found", details: { format: "csv", requestId: loggableRequestId(requestId) } });
    return null;
  }
  const upToSeq = await getAccessLogHeadSeq();
  const counts = await countRequestTrail(scope, upToSeq);
  await recordAccess({
    actor, action: "audit.trail.export", outcome: "ok", target: { type: "request", ref: requestId },
    details: { format: "csv", rows: counts.entries, matchedBySubject: counts.bySubject, upToSeq },
  });
  return { scope, rows: counts.entries, stream: trailCsvStream(scope, { upToSeq }) };
}

/** The sample of seed, N and cut-off as CSV (the table on screen, not a new draw). */
export async function exportSample(actor: Actor, p: { seed: string; n: number; cutoff: string }): Promise<{ sample: Sample; csv: string }> {
  const sample = await drawSample(p.seed, p.n, p.cutoff);
  await recordAccess({
    actor, action: "audit.sample.export", outcome: "ok",
    details: { format: "csv", seed: sample.seed, n: sample.n, cutoff: sample.cutoff, population: sample.population, requestIds: sample.requests.map((r) => r.id), rows: sample.requests.length },
  });
  return { sample, csv: sampleCsv(sample) };
}

/** The audit.evidence entry of a pack: which sample (seed, N, cut-off, request ids) and which bytes. */
export async function recordEvidence(actor: Actor, pack: { sample: Sample; entries: number; sha256: string }): Promise<void> {
  const s = pack.sample;
  await recordAccess({
    actor, action: "audit.evidence", outcome: "ok",
    details: { seed: s.seed, n: s.n, cutoff: s.cutoff, population: s.population, requestIds: s.requests.map((r) => r.id), entries: pack.entries, sha256: pack.sha256 },
  });
}

/** The audit.evidence entry of a pack that was refused (no key file, another key, no tree head, too large): nothing was signed. */
export async function recordEvidenceRefused(actor: Actor, p: { seed: string; n: number; cutoff: string }, reason: string): Promise<void> {
  await recordAccess({ actor, action: "audit.evidence", outcome: "error", details: { seed: p.seed, n: p.n, cutoff: p.cutoff, reason } });
}
