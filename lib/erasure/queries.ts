import { recordAccess } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { writesOf } from "@/lib/erasure/receipt-writes";
import { phase2Clock } from "@/lib/erasure/alarms-view";
import { REASON_LABELS, type ErasureReason } from "@/lib/erasure/workflow-support";

// Reads for the erasure pages: the list, one job (state, people, progress), the jobs of a request.
// Only the masked identifier ever leaves here; the plan's masked preview is previewErasure
// (workflow-preview.ts), which logs erasure.preview.

export const STATE_LABELS: Record<string, string> = {
  preview: "Preview",
  awaiting_approval: "Awaiting approval",
  approved: "Approved, not run",
  running: "Running",
  paused: "Paused",
  phase1_done: "Inaccessible (phase 1 done)",
  phase2_pending: "Phase 2 pending",
  completed: "Completed",
  nothing_held: "Nothing held",
  cancelled: "Cancelled",
};

export const stateBadge = (s: string) =>
  s === "completed" || s === "nothing_held" ? "badge-ok" : s === "paused" || s === "cancelled" ? "badge-bad" : "badge-warn";

export const reasonLabel = (r: string) => REASON_LABELS[r as ErasureReason] ?? r;

async function names(ids: (string | null)[]): Promise<Map<string, string>> {
  const list = [...new Set(ids.filter((x): x is string => !!x))];
  if (list.length === 0) return new Map();
  const staff = await db().staff.findMany({ where: { id: { in: list } }, select: { id: true, displayName: true } });
  return new Map(staff.map((s) => [s.id, s.displayName]));
}

/** The /erasures list (newest first), with the phase-2 clock; logged as erasure.list.view (masked identifiers). */
export async function listErasureJobs(actor: Actor, o: { now?: Date; take?: number } = {}) {
  const now = o.now ?? new Date();
  const jobs = await db().erasureJob.findMany({
    orderBy: { createdAt: "desc" },
    take: Math.min(500, o.take ?? 200),
    select: { id: true, requestId: true, subjectMasked: true, reason: true, state: true, phase2DueAt: true, pausedReason: true, createdAt: true, batchId: true },
  });
  const refs = await db().request.findMany({ where: { id: { in: [...new Set(jobs.map((j) => j.requestId))] } }, select: { id: true, reference: true } });
  const refOf = new Map(refs.map((r) => [r.id, r.reference]));
  await recordAccess({ actor, action: "erasure.list.view", outcome: "ok", details: { rows: jobs.length } });
  return jobs.map((j) => ({ ...j, reference: refOf.get(j.requestId) ?? "(deleted)", clock: phase2Clock(j, now) }));
}
export type ErasureListRow = Awaited<ReturnType<typeof listErasureJobs>>[number];

/** One job for its page: no identifiers beyond the masked one, step progress, people's names. */
export async function getErasureJob(id: string, now = new Date()) {
  const job = await db().erasureJob.findUnique({
    where: { id },
    select: {
      id: true, requestId: true, subjectMasked: true, reason: true, state: true, requestedById: true, approvedById: true,
      approvedAt: true, executedById: true, batchId: true, pausedReason: true, phase1DoneAt: true, phase2DueAt: true,
      completedAt: true, receipt: true, createdAt: true, updatedAt: true,
    },
  });
  if (!job) return null;
  const [request, steps, who] = await Promise.all([
    db().request.findUnique({ where: { id: job.requestId }, select: { reference: true, type: true, closedAt: true, outcome: true } }),
    db().erasureStep.groupBy({ by: ["state"], where: { jobId: id }, _count: { _all: true } }),
    names([job.requestedById, job.approvedById, job.executedById]),
  ]);
  const stepRows = await db().erasureStep.findMany({ where: { jobId: id }, orderBy: { seq: "asc" }, select: { seq: true, kind: true, state: true, result: true, waitingFor: true, lockWaits: true, lockWaitMs: true, retries: true, attempts: true, serverId: true } });
  const labels = new Map((await db().identityServer.findMany({ where: { id: { in: stepRows.map((x) => x.serverId ?? "") } }, select: { id: true, label: true } })).map((x) => [x.id, x.label]));
  const count = (s: string) => steps.find((x) => x.state === s)?._count._all ?? 0;
  const total = steps.reduce((n, x) => n + x._count._all, 0);
  return {
    ...job,
    reference: request?.reference ?? "(deleted)",
    requestClosed: !!request?.closedAt,
    requestedByName: who.get(job.requestedById) ?? job.requestedById,
    approvedByName: job.approvedById ? (who.get(job.approvedById) ?? job.approvedById) : null,
    executedByName: job.executedById ? (who.get(job.executedById) ?? job.executedById) : null,
    progress: { total, done: count("done") + count("skipped"), failed: count("failed"), started: count("started") },
    clock: phase2Clock(job, now),
    // Per server: what waits (and for what), lock waits and retries (receipt-writes.ts).
    writes: [...new Set(stepRows.map((x) => x.serverId))].filter((x): x is string => !!x).map((sid) => ({ server: labels.get(sid) ?? sid, ...writesOf(stepRows.filter((x) => x.serverId === sid)) })),
  };
}
export type ErasureJobView = NonNullable<Awaited<ReturnType<typeof getErasureJob>>>;

/** A running job's progress for the page's polling (no personal data: state and step counts). */
export async function jobProgress(id: string) {
  const job = await db().erasureJob.findUnique({ where: { id }, select: { state: true, pausedReason: true } });
  if (!job) return null;
  const steps = await db().erasureStep.groupBy({ by: ["state"], where: { jobId: id }, _count: { _all: true } });
  const n = (s: string) => steps.find((x) => x.state === s)?._count._all ?? 0;
  return { state: job.state, pausedReason: job.pausedReason, done: n("done") + n("skipped"), total: steps.reduce((t, x) => t + x._count._all, 0) };
}
export type JobProgress = NonNullable<Awaited<ReturnType<typeof jobProgress>>>;

/** The request page's erasure panel: the request's jobs (masked subject, state). */
export async function jobsForRequest(requestId: string) {
  return db().erasureJob.findMany({
    where: { requestId },
    orderBy: { createdAt: "asc" },
    select: { id: true, subjectMasked: true, state: true, reason: true, createdAt: true },
  });
}
