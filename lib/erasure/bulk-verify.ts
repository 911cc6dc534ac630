import { db } from "@/lib/db";
import { IdentityDbUnavailable } from "@/lib/erasure/ops-db";
import { chunk } from "@/lib/erasure/ops-core";
import type { VerifyResult } from "@/lib/erasure/verify";
import { verifyBatch, type PrecomputedVerify } from "@/lib/erasure/verify-step";

// Verification of a bulk page (bulk-run.ts): the page's jobs ran phase 1 up to their verify steps
// (RunOptions.deferVerify); here every such step is answered by one batch pass per server.

/**
 * Verifies the deferred jobs of a page together: per server, one verifyBatch over every job whose
 * verify step on that server is still to run. A server that cannot be read is left out (each job's
 * own verify step then meets the problem and pauses, as for a single erasure).
 */
const ID_CHUNK = 400;

export async function verifyPage(jobIds: string[]): Promise<PrecomputedVerify> {
  const found = new Map<string, VerifyResult>();
  // In chunks: SQLite refuses a statement with more bound parameters than its limit (a page of
  // 1,000 jobs in one IN list is over it).
  const steps: { jobId: string; serverId: string | null }[] = [];
  const jobs = new Map<string, { id: string; subjectEnc: string }>();
  for (const part of chunk(jobIds, ID_CHUNK)) {
    steps.push(...(await db().erasureStep.findMany({ where: { jobId: { in: part }, kind: "verify", state: { notIn: ["done", "skipped"] } }, select: { jobId: true, serverId: true } })));
    for (const j of await db().erasureJob.findMany({ where: { id: { in: part } }, select: { id: true, subjectEnc: true } })) jobs.set(j.id, j);
  }
  const byServer = new Map<string, string[]>();
  for (const s of steps) if (s.serverId) (byServer.get(s.serverId) ?? byServer.set(s.serverId, []).get(s.serverId)!).push(s.jobId);
  const { subjectIdsOf } = await import("@/lib/erasure/engine");
  for (const [serverId, ids] of byServer) {
    const server = await db().identityServer.findUnique({ where: { id: serverId } });
    if (!server) continue;
    try {
      const results = await verifyBatch(server, ids.map((id) => subjectIdsOf(jobs.get(id)!)));
      ids.forEach((id, i) => found.set(`${serverId}:${id}`, results[i]));
    } catch (e) {
      if (!(e instanceof IdentityDbUnavailable)) throw e;
    }
  }
  return (serverId, jobId) => found.get(`${serverId}:${jobId}`);
}

