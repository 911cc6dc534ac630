import { recordAccess, withAccessLog } from "@/lib/audit/log";
import { advanceRequest } from "@/lib/requests/advance";
import type { Actor, AccessLogInput, Outcome } from "@/lib/audit/types";
import { can, canApprove, isRole, type Permission } from "@/lib/authz";
import { db } from "@/lib/db";
import { collectFindings, type Finder, type LinkedSubject } from "@/lib/exports/collect";
import { decryptSecret } from "@/lib/keys";
import { isUniqueViolation } from "@/lib/requests/reference";
import { confirmationMatches, ERASURE_REASONS, planFor, sealJson, type ErasureReason } from "@/lib/erasure/workflow-support";
import { replannedBy } from "@/lib/erasure/workflow-replan";
import { subjectIdsOf } from "@/lib/erasure/engine";
import { erasureRestricted } from "@/lib/rights/erasure-guard";

// The erasure workflow around the engine (plan.ts, engine.ts, receipt.ts): start (erasure.request)
// -> preview (erasure.preview, queries.ts) -> approve by a second person who types the masked
// identifier (erasure.approve) -> execute (erasure.execute; in the background, durable, resumable).
// Every step writes an access-log entry with the requestId, so it is on the request's timeline.
// Used by the server actions (actions.ts), the command line and the tests.

export type WorkflowResult<T = object> =
  | ({ ok: true } & T)
  | { ok: false; code: "not_found" | "invalid" | "denied" | "conflict"; message: string };

type Fail = Extract<WorkflowResult, { ok: false }>;
const fail = (code: Fail["code"], message: string): Fail => ({ ok: false, code, message });

const SUBJECT_KEY = "subject-identifier-v1" as const;

function entry(actor: Actor, action: string, requestId: string, outcome: Outcome, details: Record<string, unknown>): AccessLogInput {
  return { actor, action, target: { type: "request", ref: requestId }, requestId, outcome, details };
}

function allowed(actor: Actor, permission: Permission): boolean {
  return !!actor.id && isRole(actor.role) && can(actor.role, permission);
}

export type StartInput = {
  requestId: string;
  reason: ErasureReason;
  requestedBy: Actor;
  /** RequestSubject ids to erase; default: every subject linked to the request (one person). */
  subjectIds?: string[];
};

/**
 * erasure.request: one job per (request, subject pseudonym). The subject is the person linked to
 * the request (all linked identifiers, searched with Matrix-ID expansion and in the logs); the
 * job's pseudonym is that of the first linked identifier, so a second press (or two staff at
 * once) returns the existing job. An erasure request qualifies while open; reason "under_16"
 * may be started from ANY open request (a complaint, an access request...) so a child's data is
 * erased without asking for a second request (privacy notice 3.5).
 */
export async function startErasure(
  input: StartInput, o: { now?: Date; find?: Finder } = {},
): Promise<WorkflowResult<{ jobId: string; created: boolean; nothingHeld: boolean }>> {
  const { requestId, reason, requestedBy: actor } = input;
  const request = await db().request.findUnique({ where: { id: requestId }, select: { id: true, type: true, closedAt: true } });
  if (!request) return fail("not_found", "No such request.");
  const refuse = async (code: Fail["code"], message: string) => {
    await recordAccess(entry(actor, "erasure.request", request.id, code === "denied" ? "denied" : "invalid", { reason: message }));
    return fail(code, message);
  };
  if (!allowed(actor, "erasure.request")) return refuse("denied", "Your role cannot ask for erasures.");
  if (!(ERASURE_REASONS as readonly string[]).includes(reason)) return refuse("invalid", "Choose the reason for the erasure.");
  if (request.closedAt) return refuse("invalid", "The request is closed.");
  // Rectification (Art. 16) of a binding Custodian can see: the wrong binding is unbound with the
  // erasure machinery and the person binds the right one again; only from a rectification request.
  if (reason === "rectification" ? request.type !== "rectification" : request.type !== "erasure" && reason !== "under_16") {
    return refuse("invalid", reason === "rectification"
      ? "The rectification reason is for a rectification request."
      : "Only an erasure request can start an erasure; for a person under 16 choose the reason \"Under 16\".");
  }
  const rows = await db().requestSubject.findMany({
    where: { requestId: request.id, ...(input.subjectIds?.length ? { id: { in: input.subjectIds } } : {}) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, type: true, valueEnc: true, pseudonym: true, masked: true },
  });
  if (rows.length === 0) return refuse("invalid", "Link the person to this request first (search on the Subjects page, then link).");
  const pseudonym = rows[0].pseudonym;
  const existing = await db().erasureJob.findUnique({ where: { requestId_subjectPseudonym: { requestId: request.id, subjectPseudonym: pseudonym } } });
  if (existing) return { ok: true, jobId: existing.id, created: false, nothingHeld: existing.state === "nothing_held" };

  const subjects: LinkedSubject[] = rows.map((r) => ({ type: r.type as LinkedSubject["type"], value: decryptSecret(r.valueEnc, SUBJECT_KEY) }));
  const findings = await collectFindings(subjects, o.find);
  // Issue 8: an address of the request now bound to an account outside its verified identity
  // is someone else's binding. Stop and ask: nothing is planned until a DPO decides.
  const elsewhere = findings.scope?.linkedElsewhere ?? [];
  if (elsewhere.length > 0) {
    const message =
      `Stopped: ${elsewhere.length === 1 ? "an address" : `${elsewhere.length} addresses`} of this request ${elsewhere.length === 1 ? "is" : "are"} now linked to a Matrix account that is not among the request's verified identifiers. ` +
      "Erasing would unbind another person. Check with the requester: confirm that account as theirs on the request page (if it is), or unlink the address from the request. Nothing was planned.";
    await recordAccess(entry(actor, "erasure.request", request.id, "invalid", { reason: "address_linked_elsewhere", addresses: elsewhere.length }));
    return fail("conflict", message);
  }
  const ids = findings.identifiers;
  // A restriction on the Matrix ID an address is bound to (a candidate, not yet confirmed as the
  // subject) still stops the erasure: unbinding the address is processing of that account's data.
  const boundMxids = (findings.scope?.candidates ?? []).filter((c) => c.type === "mxid").map((c) => c.value);
  const restricted = await erasureRestricted({ ...ids, mxids: [...ids.mxids, ...boundMxids] });
  if (restricted) return refuse("denied", restricted);
  const { plan, summary, nothingHeld } = await planFor(findings);
  try {
    const job = await withAccessLog(
      entry(actor, "erasure.request", request.id, "ok", { reason, subjects: rows.length, ...summary }),
      (tx) => tx.erasureJob.create({
        data: {
          requestId: request.id, subjectPseudonym: pseudonym, subjectMasked: rows[0].masked,
          subjectEnc: sealJson({ emails: ids.emails, msisdns: ids.msisdns, mxids: ids.mxids, sids: ids.sids }),
          reason, state: "awaiting_approval", requestedById: actor.id!, planEnc: sealJson(plan),
        },
        select: { id: true },
      }),
    );
    await advanceRequest(actor, request.id, "erasure.prepared");
    return { ok: true, jobId: job.id, created: true, nothingHeld };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    // Someone else pressed the button at the same moment: theirs is the one job.
    const winner = await db().erasureJob.findUniqueOrThrow({ where: { requestId_subjectPseudonym: { requestId: request.id, subjectPseudonym: pseudonym } } });
    return { ok: true, jobId: winner.id, created: false, nothingHeld: winner.state === "nothing_held" };
  }
}

/**
 * erasure.approve: a second person (never the requester) with the permission, who types the
 * subject's masked identifier exactly as shown (e.g. "a•••@example.org"; "*" is accepted for "•").
 */
export async function approveErasure(
  input: { jobId: string; typedConfirmation: string; approver: Actor },
  o: { now?: Date; stepUp?: () => Promise<{ ok: true } | { ok: false; message: string }> } = {},
): Promise<WorkflowResult> {
  const { approver } = input;
  const job = await db().erasureJob.findUnique({ where: { id: input.jobId } });
  if (!job) return fail("not_found", "No such erasure.");
  const log = (outcome: Outcome, details: Record<string, unknown>) => entry(approver, "erasure.approve", job.requestId, outcome, { jobId: job.id, ...details });
  if (!approver.id || !isRole(approver.role) || !canApprove({ id: approver.id, role: approver.role }, "erasure.approve", job.requestedById)) {
    const message = approver.id === job.requestedById
      ? "You asked for this erasure, so you cannot approve it: a second person with the approve permission must (separation of duties)."
      : "Your role cannot approve erasures.";
    await recordAccess(log("denied", { reason: message }));
    return fail("denied", message);
  }
  if (approver.id === (await replannedBy(job))) {
    const message = "You re-planned this erasure, so a second person with the approve permission must approve the new plan (separation of duties).";
    await recordAccess(log("denied", { reason: message }));
    return fail("denied", message);
  }
  if (job.state !== "awaiting_approval") {
    await recordAccess(log("invalid", { reason: `state ${job.state}` }));
    return fail("conflict", `This erasure is ${job.state.replace(/_/g, " ")}; only one awaiting approval can be approved.`);
  }
  const restricted = await erasureRestricted(subjectIdsOf(job));
  if (restricted) {
    await recordAccess(log("denied", { reason: "restricted" }));
    return fail("denied", restricted);
  }
  if (!confirmationMatches(input.typedConfirmation, job.subjectMasked)) {
    await recordAccess(log("invalid", { reason: "typed confirmation does not match" }));
    return fail("invalid", `Type the masked identifier exactly as shown (${job.subjectMasked}) to confirm.`);
  }
  // The console's fresh second-factor code (lib/auth/step-up.ts), checked last so a typing
  // mistake above does not use the code up; a refusal is logged by the check itself.
  if (o.stepUp) {
    const code = await o.stepUp();
    if (!code.ok) return fail("denied", code.message);
  }
  const n = await withAccessLog(log("ok", { reason: job.reason }), async (tx) => {
    const r = await tx.erasureJob.updateMany({
      where: { id: job.id, state: "awaiting_approval" },
      data: { state: "approved", approvedById: approver.id, approvedAt: o.now ?? new Date() },
    });
    if (r.count !== 1) throw new Error("conflict");
    return r.count;
  }).catch(() => 0);
  if (n !== 1) return fail("conflict", "Someone else changed this erasure at the same moment. Reload the page.");
  await advanceRequest(approver, job.requestId, "erasure.approved");
  return { ok: true };
}

export { executeErasure, resumeStaleJobs, isRunningHere } from "@/lib/erasure/workflow-execute";
export { closeNothingHeld, ERASURE_REASONS, REASON_LABELS, type ErasureReason } from "@/lib/erasure/workflow-support";
export { previewErasure, type ErasurePreview } from "@/lib/erasure/workflow-preview";
export { canReplan, replanErasure } from "@/lib/erasure/workflow-replan";
