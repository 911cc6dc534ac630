import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { decryptSecret, encryptSecret } from "@/lib/keys";
import { planErasure, planSummary, type ErasurePlan } from "@/lib/erasure/plan";
import { listServers } from "@/lib/servers/queries";
import type { SubjectFindings } from "@/lib/subjects/types";
import { changeRequestState, closeRequestRecord } from "@/lib/requests/update-request";
import { canTransition } from "@/lib/requests/states";

// Small pieces of the erasure workflow (workflow.ts): sealing the plan and the subject's
// identifiers, the typed confirmation, and closing a request as "nothing held".

const KEY = "subject-identifier-v1" as const;

export const ERASURE_REASONS = ["own_request", "account_deactivated", "under_16", "rectification"] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];
export const REASON_LABELS: Record<ErasureReason, string> = {
  own_request: "The person's own request (Art. 17)",
  account_deactivated: "Account deactivated on the homeserver",
  under_16: "Under 16 (privacy notice 3.5)",
  rectification: "Rectification (Art. 16): unbind the wrong binding; the person re-binds the right one",
};

/** ErasureJob.planEnc / subjectEnc: AES-256-GCM JSON under the subject-identifier key. */
export const sealJson = (value: unknown): string => encryptSecret(JSON.stringify(value), KEY);
export const openJson = <T>(sealed: string): T => JSON.parse(decryptSecret(sealed, KEY)) as T;

/** The engine's plan for these findings, over every registered server, with its counts (no personal data). */
export async function planFor(findings: SubjectFindings): Promise<{ plan: ErasurePlan; summary: ReturnType<typeof planSummary>; nothingHeld: boolean }> {
  const servers = (await listServers()).map((s) => ({ id: s.id, label: s.label, serverName: s.serverName }));
  const plan = planErasure(findings, { servers });
  return { plan, summary: planSummary(plan), nothingHeld: plan.nothingHeld };
}

export type SubjectIdentifiers = { emails: string[]; msisdns: string[]; mxids: string[]; sids: string[] };

/**
 * The approver types the masked identifier as shown. Bullets are hard to type, so "*" stands for
 * "•" and a run of either counts as one; spaces around are ignored, case is not.
 */
export function confirmationMatches(typed: string, masked: string): boolean {
  const norm = (s: string) => s.normalize("NFC").trim().replace(/[•*]+/g, "•").replace(/\s+/g, " ");
  return typed.length <= 200 && norm(typed) !== "" && norm(typed) === norm(masked);
}

export const NOTHING_HELD_OUTCOME =
  "Nothing held: no identity server and no log file holds data about this person (erasure receipt on file).";

/**
 * "Nothing held anywhere": the request is closed (completed) with that outcome. An erasure
 * request still in "received" or "identity_check" first moves to "in progress" (the register's
 * state table allows closing as completed only from there), so both steps are on the timeline.
 */
export async function closeNothingHeld(actor: Actor, requestId: string, now = new Date()): Promise<{ ok: boolean; message?: string }> {
  return closeWhenErasuresDone(actor, requestId, NOTHING_HELD_OUTCOME, now);
}

export const ERASED_OUTCOME =
  "Erased: inaccessible on every server at phase 1; tombstones and log copies gone at phase 2 (erasure receipt on file).";

/**
 * Closes the request (completed, with `outcome`) once none of its erasures is still open: called
 * for "nothing held" and when phase 2 completes, so the request stays open exactly until then.
 */
export async function closeWhenErasuresDone(actor: Actor, requestId: string, outcome: string, now = new Date()): Promise<{ ok: boolean; message?: string }> {
  const r = await db().request.findUnique({ where: { id: requestId }, select: { state: true, closedAt: true } });
  if (!r) return { ok: false, message: "No such request." };
  if (r.closedAt) return { ok: true };
  // Another person on the same request still being erased keeps it open.
  const others = await db().erasureJob.count({ where: { requestId, state: { notIn: ["nothing_held", "completed", "cancelled"] } } });
  if (others > 0) return { ok: true, message: "Other erasures on this request are still open." };
  if (!canTransition(r.state, "completed")) {
    const moved = await changeRequestState(actor, requestId, "in_progress");
    if (!moved.ok) return moved;
  }
  return closeRequestRecord(actor, requestId, "completed", outcome, now);
}
