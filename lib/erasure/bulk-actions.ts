"use server";

import { requireFreshCode } from "@/lib/auth/step-up";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { approveBulkBatch, createBulkBatch, executeBulkBatch } from "@/lib/erasure/bulk";
import { ERASURE_REASONS } from "@/lib/erasure/workflow";

// The bulk-erasure pages' server actions (app/(console)/erasures/bulk). Each checks its
// permission first, parses its input with zod and leaves the work to lib/erasure/bulk.ts, which
// writes the "erasure.bulk.*" access-log entries. Uploading never erases: it stores a dry run.

export type BulkFormState = { ok: boolean; message: string } | null;

/** Upload size: 100,000 rows of long 3PIDs stay under this (next.config bodySizeLimit is above it). */
const MAX_BYTES = 8 * 1024 * 1024;
const id = z.string().trim().min(1).max(100);
const uploadSchema = z.object({
  reason: z.enum(ERASURE_REASONS, { message: "Choose the reason for the erasure." }).default("account_deactivated"),
  requestId: z.string().trim().max(100).optional().transform((v) => v || null),
});
const batchSchema = z.object({ batchId: id });

function fields(form: FormData): Record<string, string> {
  return Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string")) as Record<string, string>;
}

export async function uploadBulkBatch(_prev: BulkFormState, form: FormData): Promise<BulkFormState> {
  const op = await requireOperator("erasure.request");
  const parsed = uploadSchema.safeParse(fields(form));
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? "Check the form." };
  const file = form.get("file");
  if (!(file instanceof File) || file.size === 0) return { ok: false, message: "Choose a CSV file to upload." };
  if (file.size > MAX_BYTES) return { ok: false, message: `The file is larger than ${MAX_BYTES / 1024 / 1024} MB. Split it into smaller files. Nothing was stored.` };
  const r = await createBulkBatch({
    fileName: file.name, content: new Uint8Array(await file.arrayBuffer()), reason: parsed.data.reason,
    requestId: parsed.data.requestId, createdBy: actorOf(op),
  });
  if (!r.ok) return { ok: false, message: r.message };
  revalidatePath("/erasures/bulk");
  redirect(`/erasures/bulk/${r.batchId}`);
}

export async function approveBulkBatchAction(_prev: BulkFormState, form: FormData): Promise<BulkFormState> {
  const op = await requireOperator("erasure.approve");
  const parsed = batchSchema.safeParse(fields(form));
  if (!parsed.success) return { ok: false, message: "No such batch." };
  const code = await requireFreshCode(actorOf(op), form.get("code"), "erasure.bulk.approve", { batchId: parsed.data.batchId });
  if (!code.ok) return { ok: false, message: code.message };
  const r = await approveBulkBatch({ batchId: parsed.data.batchId, approver: actorOf(op) });
  revalidatePath(`/erasures/bulk/${parsed.data.batchId}`);
  return r.ok ? { ok: true, message: "Approved. The batch can now be executed." } : { ok: false, message: r.message };
}

export async function executeBulkBatchAction(_prev: BulkFormState, form: FormData): Promise<BulkFormState> {
  const op = await requireOperator("erasure.execute");
  const parsed = batchSchema.safeParse(fields(form));
  if (!parsed.success) return { ok: false, message: "No such batch." };
  const r = await executeBulkBatch({ batchId: parsed.data.batchId, executor: actorOf(op) }, { background: true });
  revalidatePath(`/erasures/bulk/${parsed.data.batchId}`);
  return r.ok ? { ok: true, message: "Running. This page shows the progress." } : { ok: false, message: r.message };
}
