import { appendAccessLog, recordAccess } from "@/lib/audit/log";
import type { Actor, Outcome } from "@/lib/audit/types";
import { can, isRole } from "@/lib/authz";
import { db } from "@/lib/db";
import { collectFindings, type Finder, type LinkedSubject } from "@/lib/exports/collect";
import { planSteps, type ErasurePlan } from "@/lib/erasure/plan";
import { sealTarget, subjectIdsOf, subjectTarget } from "@/lib/erasure/engine";
import { planFor, sealJson } from "@/lib/erasure/workflow-support";

// Re-plan (finding 11): a job paused because its verification found data that appeared after
// approval (e.g. a binding made since) would stay paused forever on its stale plan. Re-planning
// searches again from every identifier the job knows, stores the new plan (identifiers merged),
// marks the steps not done as "skipped" (kept for the record), creates the new plan's steps
// (pending) and puts the job back to "awaiting_approval": a second person approves again (not the
// one who re-planned: approveErasure checks replannedBy). Logged as "erasure.replan".
// API: canReplan(job, steps) · replanErasure({jobId, actor}, {find?}) · replannedBy(job)

type Result = { ok: true } | { ok: false; code: "not_found" | "denied" | "conflict"; message: string };

export const REPLAN_ACTION = "erasure.replan";

/** Paused after a verification that found data still held. */
export function canReplan(job: { state: string }, steps: { kind: string; state: string }[]): boolean {
  return job.state === "paused" && steps.some((s) => s.kind === "verify" && s.state === "failed");
}

/** Staff id of whoever last re-planned this job (they may not approve the new plan), or null. */
export async function replannedBy(job: { id: string; requestId: string }): Promise<string | null> {
  const e = await db().accessLogEntry.findFirst({
    where: { action: REPLAN_ACTION, requestId: job.requestId, outcome: "ok", details: { contains: job.id } },
    orderBy: { seq: "desc" }, select: { actorId: true },
  });
  return e?.actorId ?? null;
}

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];

export async function replanErasure(input: { jobId: string; actor: Actor }, o: { find?: Finder } = {}): Promise<Result> {
  const { actor } = input;
  const job = await db().erasureJob.findUnique({ where: { id: input.jobId } });
  if (!job) return { ok: false, code: "not_found", message: "No such erasure." };
  const log = (outcome: Outcome, details: Record<string, unknown>) =>
    ({ actor, action: REPLAN_ACTION, target: subjectTarget(job), requestId: job.requestId, outcome, details: { jobId: job.id, ...details } }) as const;
  if (!actor.id || !isRole(actor.role) || !can(actor.role, "erasure.request")) {
    await recordAccess(log("denied", { reason: "role lacks erasure.request" }));
    return { ok: false, code: "denied", message: "Your role cannot ask for erasures." };
  }
  const steps = await db().erasureStep.findMany({ where: { jobId: job.id }, select: { kind: true, state: true, seq: true } });
  if (!canReplan(job, steps)) {
    await recordAccess(log("invalid", { reason: `state ${job.state}` }));
    return { ok: false, code: "conflict", message: "Only an erasure paused because its verification found data still held can be re-planned." };
  }
  // Search again from every identifier the job knows (expanded: a new binding of the same person is found).
  const ids = subjectIdsOf(job);
  const seeds: LinkedSubject[] = [
    ...ids.mxids.map((value) => ({ type: "mxid" as const, value })),
    ...ids.emails.map((value) => ({ type: "email" as const, value })),
    ...ids.msisdns.map((value) => ({ type: "msisdn" as const, value })),
  ];
  const findings = await collectFindings(seeds, o.find);
  const { plan, summary } = await planFor(findings);
  const f = findings.identifiers;
  const merged = { emails: union(ids.emails, f.emails), msisdns: union(ids.msisdns, f.msisdns), mxids: union(ids.mxids, f.mxids), sids: union(ids.sids, f.sids) };
  // Phase 1 already ran, so the job is never "nothing held": at least every server is verified again.
  const stored: ErasurePlan = { ...plan, identifiers: { ...plan.identifiers, ...merged }, nothingHeld: false };
  const specs = plan.nothingHeld ? plan.servers.map((s) => ({ kind: "verify" as const, serverId: s.server.id, target: {} })) : planSteps(stored);
  const maxSeq = Math.max(0, ...steps.map((s) => s.seq));
  const n = await db().$transaction(async (tx) => {
    const r = await tx.erasureJob.updateMany({
      where: { id: job.id, state: "paused" },
      data: { state: "awaiting_approval", planEnc: sealJson(stored), subjectEnc: sealJson(merged), approvedById: null, approvedAt: null, pausedReason: null },
    });
    if (r.count !== 1) return 0;
    await tx.erasureStep.updateMany({ where: { jobId: job.id, state: { in: ["pending", "started", "failed"] } }, data: { state: "skipped" } });
    await tx.erasureStep.createMany({ data: specs.map((s, i) => ({ jobId: job.id, seq: maxSeq + i + 1, serverId: s.serverId, kind: s.kind, targetEnc: sealTarget(s.target), state: "pending" })) });
    await appendAccessLog(tx, log("ok", { steps: specs.length, skipped: steps.filter((s) => s.state !== "done" && s.state !== "skipped").length, ...summary }));
    return 1;
  });
  if (n !== 1) return { ok: false, code: "conflict", message: "Someone else changed this erasure at the same moment. Reload the page." };
  return { ok: true };
}
