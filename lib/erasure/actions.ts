"use server";

import { requireFreshCode } from "@/lib/auth/step-up";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { chooseBystander } from "@/lib/erasure/bystander-choice";
import { jobProgress, type JobProgress } from "@/lib/erasure/queries";
import { approveErasure, ERASURE_REASONS, executeErasure, replanErasure, startErasure } from "@/lib/erasure/workflow";

// The erasure pages' server actions. Each checks its permission first, parses its input with zod
// and leaves the work to lib/erasure/workflow.ts (which logs every step with the requestId).

export type ErasureFormState = { ok: boolean; message: string; jobId?: string } | null;

const id = z.string().trim().min(1).max(100);
const startSchema = z.object({ requestId: id, reason: z.enum(ERASURE_REASONS, { message: "Choose the reason for the erasure." }) });
const approveSchema = z.object({ jobId: id, confirmation: z.string().max(200).default("") });
const executeSchema = z.object({ jobId: id });
const bystanderSchema = z.object({
  jobId: id, serverId: id, globalId: z.coerce.number().int().min(-1),
  choice: z.enum(["rebind", "unbind"], { message: "Choose whether this person stays bound or is unbound." }),
  reason: z.string().max(500).default(""),
});

function fields(form: FormData): Record<string, string> {
  return Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string")) as Record<string, string>;
}

const firstIssue = (e: z.ZodError) => e.issues[0]?.message ?? "Check the form.";

export async function startErasureAction(_prev: ErasureFormState, form: FormData): Promise<ErasureFormState> {
  const op = await requireOperator("erasure.request");
  const parsed = startSchema.safeParse(fields(form));
  if (!parsed.success) return { ok: false, message: firstIssue(parsed.error) };
  const r = await startErasure({ requestId: parsed.data.requestId, reason: parsed.data.reason, requestedBy: actorOf(op) });
  revalidatePath(`/requests/${parsed.data.requestId}`);
  if (!r.ok) return { ok: false, message: r.message };
  const what = r.nothingHeld ? "Nothing is held about this person anywhere; a second person approves closing it with a receipt." : "Erasure prepared; a second person must now approve it.";
  return { ok: true, jobId: r.jobId, message: r.created ? what : "This erasure was already prepared." };
}

export async function approveErasureAction(_prev: ErasureFormState, form: FormData): Promise<ErasureFormState> {
  const op = await requireOperator("erasure.approve");
  const parsed = approveSchema.safeParse(fields(form));
  if (!parsed.success) return { ok: false, message: firstIssue(parsed.error) };
  const stepUp = () => requireFreshCode(actorOf(op), form.get("code"), "erasure.approve", { jobId: parsed.data.jobId });
  const r = await approveErasure({ jobId: parsed.data.jobId, typedConfirmation: parsed.data.confirmation, approver: actorOf(op) }, { stepUp });
  revalidatePath(`/erasures/${parsed.data.jobId}`);
  return r.ok ? { ok: true, message: "Approved. It can now be run." } : { ok: false, message: r.message };
}

export async function executeErasureAction(_prev: ErasureFormState, form: FormData): Promise<ErasureFormState> {
  const op = await requireOperator("erasure.execute");
  const parsed = executeSchema.safeParse(fields(form));
  if (!parsed.success) return { ok: false, message: firstIssue(parsed.error) };
  const r = await executeErasure({ jobId: parsed.data.jobId, executor: actorOf(op) }, { background: true });
  revalidatePath(`/erasures/${parsed.data.jobId}`);
  return r.ok ? { ok: true, message: "Running. This page updates as the steps complete." } : { ok: false, message: r.message };
}

/** A job paused by a verification that found data added after approval: new plan, approved again. */
export async function replanErasureAction(_prev: ErasureFormState, form: FormData): Promise<ErasureFormState> {
  const op = await requireOperator("erasure.request");
  const parsed = executeSchema.safeParse(fields(form));
  if (!parsed.success) return { ok: false, message: firstIssue(parsed.error) };
  const r = await replanErasure({ jobId: parsed.data.jobId, actor: actorOf(op) });
  revalidatePath(`/erasures/${parsed.data.jobId}`);
  return r.ok ? { ok: true, message: "Re-planned. A second person must now approve the new plan." } : { ok: false, message: r.message };
}

/** Polled by the erasure page while a job runs: state and step counts only (no personal data, not logged). */
export async function erasureProgressAction(jobId: string): Promise<JobProgress | null> {
  await requireOperator("erasure.receipt", { activity: false }); // a poll: does not keep the session alive
  const parsed = id.safeParse(jobId);
  return parsed.success ? jobProgress(parsed.data) : null;
}

/**
 * The second person's decision about one other person's row (issue 8): keep them bound (the
 * default: Sydent re-issues their association) or unbind them, with a reason. Before approval only.
 */
export async function chooseBystanderAction(_prev: ErasureFormState, form: FormData): Promise<ErasureFormState> {
  const op = await requireOperator("erasure.approve");
  const parsed = bystanderSchema.safeParse(fields(form));
  if (!parsed.success) return { ok: false, message: firstIssue(parsed.error) };
  const d = parsed.data;
  const r = await chooseBystander({ jobId: d.jobId, serverId: d.serverId, globalId: d.globalId, action: d.choice, reason: d.reason, actor: actorOf(op) });
  revalidatePath(`/erasures/${d.jobId}`);
  if (!r.ok) return { ok: false, message: r.message };
  return { ok: true, message: d.choice === "unbind" ? "Recorded: this person will be unbound, with your reason on the receipt." : "Recorded: this person stays bound (Sydent re-issues their association)." };
}
