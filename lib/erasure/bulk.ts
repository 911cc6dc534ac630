import { randomUUID } from "node:crypto";
import { recordAccess, withAccessLog } from "@/lib/audit/log";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import type { Actor, Outcome } from "@/lib/audit/types";
import { can, canApprove, isRole, type Permission } from "@/lib/authz";
import { db } from "@/lib/db";
import { encryptSecret } from "@/lib/keys";
import { parseBulkCsv, type ParseBulkOptions, type ParsedRow } from "@/lib/erasure/bulk-parse";
import { launchDryRun, launchExecution, type RunOptions } from "@/lib/erasure/bulk-run";
import { ERASURE_REASONS, type ErasureReason } from "@/lib/erasure/workflow";

// Bulk erasure (issue 4 section 7). Uploading stores the batch and its rows and returns; the dry
// run (read only: "is this subject held anywhere?") then runs in the background, chunk by chunk.
// NOTHING is erased until a second person approves the whole batch (approver != uploader) and
// someone with erasure.execute runs it; execution is resumable (rows already done are skipped).
// Row statuses (ErasureBatchRow.status): pending (parsed, dry run not done yet) -> valid (held
// somewhere) | nothing_held; rejected (bad row, never executed); after execution done |
// nothing_held | failed. Progress is counted from these statuses. ErasureBatchRow.error holds
// the row's message (the rejection reason, or the dry-run counts), never an identifier.
// Matrix-ID batches need subjects.reverseLookup (a DPO); every dry-run row is access-logged under
// the row's pseudonym (bulk-run.ts launchDryRun).

export const BULK_KEY = "subject-identifier-v1" as const;
const INSERT_CHUNK = 1000;

export type BulkResult<T = object> = ({ ok: true } & T) | { ok: false; code: "not_found" | "invalid" | "denied" | "conflict"; message: string };
type Fail = Extract<BulkResult, { ok: false }>;
const fail = (code: Fail["code"], message: string): Fail => ({ ok: false, code, message });

const allowed = (a: Actor, p: Permission) => !!a.id && isRole(a.role) && can(a.role, p);

function entry(actor: Actor, action: string, batchId: string | null, outcome: Outcome, details: Record<string, unknown>, requestId?: string | null) {
  return { actor, action, target: batchId ? ({ type: "batch", ref: batchId } as const) : undefined, requestId: requestId ?? null, outcome, details };
}

export type CreateBulkInput = {
  fileName: string;
  /** The uploaded bytes (or already-decoded text). */
  content: Uint8Array | string;
  reason: string;
  requestId?: string | null;
  createdBy: Actor;
};

function rowData(batchId: string, r: ParsedRow) {
  return {
    batchId,
    rowNo: r.rowNo,
    inputEnc: encryptSecret(JSON.stringify({ values: r.values, subject: r.subject }), BULK_KEY),
    pseudonym: r.subject ? pseudonymFor(r.subject.type, r.subject.value) : null,
    status: r.error ? "rejected" : "pending",
    error: r.error,
  };
}

/** erasure.request: stores a dry-run batch (never erases) and starts its dry run in the background. */
export async function createBulkBatch(
  input: CreateBulkInput, o: ParseBulkOptions & RunOptions & { awaitDryRun?: boolean } = {},
): Promise<BulkResult<{ batchId: string; kind: string; totalRows: number; validRows: number; rejectedRows: number; lines: number; blankLinesAtEnd: number; warnings: string[] }>> {
  const actor = input.createdBy;
  const refuse = async (code: Fail["code"], message: string) => {
    await recordAccess(entry(actor, "erasure.bulk.upload", null, code === "denied" ? "denied" : "invalid", { reason: message }));
    return fail(code, message);
  };
  if (!allowed(actor, "erasure.request")) return refuse("denied", "Your role cannot ask for erasures.");
  if (!(ERASURE_REASONS as readonly string[]).includes(input.reason)) return refuse("invalid", "Choose the reason for the erasure.");
  const reason = input.reason as ErasureReason;
  const fileName = (input.fileName || "upload.csv").replace(/[\\/\r\n]/g, "_").slice(0, 200);
  if (input.requestId) {
    const r = await db().request.findUnique({ where: { id: input.requestId }, select: { type: true, closedAt: true } });
    if (!r) return refuse("not_found", "No such request.");
    if (r.closedAt) return refuse("invalid", "The request is closed.");
    if (r.type !== "erasure" && reason !== "under_16") return refuse("invalid", "Only an erasure request can carry a bulk erasure (or choose \"Under 16\").");
  }
  const parsed = await parseBulkCsv(input.content, o);
  if (!parsed.ok) return refuse("invalid", parsed.error);
  // A Matrix-ID batch is a reverse lookup (which 3PIDs, invites, accounts does this user have?):
  // the same permission as a Matrix-ID search. Nothing is stored.
  if (parsed.kind === "mxid" && !allowed(actor, "subjects.reverseLookup")) {
    return refuse("denied", "A batch of Matrix IDs is a reverse lookup: only a data protection officer can upload one. Batches of e-mail addresses and phone numbers are open to you.");
  }

  // Rows first, under an id chosen here; the batch row (and its log entry) last, in one
  // transaction: until it commits nobody sees the rows, and an interrupted upload leaves nothing.
  const batchId = randomUUID();
  for (let i = 0; i < parsed.rows.length; i += INSERT_CHUNK) {
    await db().erasureBatchRow.createMany({ data: parsed.rows.slice(i, i + INSERT_CHUNK).map((r) => rowData(batchId, r)) });
  }
  const counts = { totalRows: parsed.rows.length, validRows: parsed.validRows, rejectedRows: parsed.rejectedRows };
  await withAccessLog(
    entry(actor, "erasure.bulk.upload", batchId, "ok", { kind: parsed.kind, reason, ...counts, lines: parsed.lines, blankLinesAtEnd: parsed.blankLinesAtEnd, warnings: parsed.warnings }, input.requestId),
    (tx) => tx.erasureBatch.create({
      data: { id: batchId, requestId: input.requestId || null, fileName, kind: parsed.kind, reason, state: parsed.validRows ? "dry_run" : "awaiting_approval", ...counts, createdById: actor.id! },
    }),
  );
  const run = parsed.validRows ? launchDryRun(batchId, o) : Promise.resolve();
  if (o.awaitDryRun) await run;
  return { ok: true, batchId, kind: parsed.kind, ...counts, lines: parsed.lines, blankLinesAtEnd: parsed.blankLinesAtEnd, warnings: parsed.warnings };
}

/** erasure.approve: a second person (never the uploader) approves the whole batch after its dry run. */
export async function approveBulkBatch(input: { batchId: string; approver: Actor }, o: { now?: Date } = {}): Promise<BulkResult> {
  const { approver, batchId } = input;
  const batch = await db().erasureBatch.findUnique({ where: { id: batchId } });
  if (!batch) return fail("not_found", "No such batch.");
  const log = (outcome: Outcome, details: Record<string, unknown>) => entry(approver, "erasure.bulk.approve", batch.id, outcome, details, batch.requestId);
  if (!approver.id || !isRole(approver.role) || !canApprove({ id: approver.id, role: approver.role }, "erasure.approve", batch.createdById)) {
    const message = approver.id === batch.createdById
      ? "You uploaded this batch, so you cannot approve it: a second person with the approve permission must (separation of duties)."
      : "Your role cannot approve erasures.";
    await recordAccess(log("denied", { reason: message }));
    return fail("denied", message);
  }
  if (batch.state !== "awaiting_approval") {
    await recordAccess(log("invalid", { reason: `state ${batch.state}` }));
    return fail("conflict", batch.state === "dry_run" ? "The dry run has not finished yet." : `This batch is ${batch.state.replace(/_/g, " ")}; only a batch awaiting approval can be approved.`);
  }
  if (batch.validRows === 0) {
    await recordAccess(log("invalid", { reason: "no valid rows" }));
    return fail("invalid", "Every row of this batch was rejected: there is nothing to approve.");
  }
  const n = await withAccessLog(log("ok", { rows: batch.validRows, reason: batch.reason }), async (tx) => {
    const r = await tx.erasureBatch.updateMany({ where: { id: batch.id, state: "awaiting_approval" }, data: { state: "approved", approvedById: approver.id, approvedAt: o.now ?? new Date() } });
    if (r.count !== 1) throw new Error("conflict");
    return r.count;
  }).catch(() => 0);
  return n === 1 ? { ok: true } : fail("conflict", "Someone else changed this batch at the same moment. Reload the page.");
}

/** erasure.execute: runs (or resumes) an approved batch, one erasure job per row, in the background. */
export async function executeBulkBatch(
  input: { batchId: string; executor: Actor }, o: RunOptions & { background?: boolean } = {},
): Promise<BulkResult<{ state: string }>> {
  const { executor, batchId } = input;
  const batch = await db().erasureBatch.findUnique({ where: { id: batchId } });
  if (!batch) return fail("not_found", "No such batch.");
  const log = (outcome: Outcome, details: Record<string, unknown>) => recordAccess(entry(executor, "erasure.bulk.execute", batch.id, outcome, details, batch.requestId));
  if (!allowed(executor, "erasure.execute")) {
    await log("denied", { reason: "role lacks erasure.execute" });
    return fail("denied", "Your role cannot run erasures.");
  }
  if (!["approved", "running"].includes(batch.state) || !batch.approvedById) {
    await log("invalid", { reason: `state ${batch.state}` });
    return fail("conflict", batch.state === "done" ? "This batch has already been executed." : "Nothing runs until a second person has approved the whole batch.");
  }
  await log("ok", { from: batch.state, resume: batch.state === "running" });
  await db().erasureBatch.updateMany({ where: { id: batch.id, state: "approved" }, data: { state: "running" } });
  const run = launchExecution(batch.id, executor, o);
  if (o.background) {
    run.catch(() => {});
    return { ok: true, state: "running" };
  }
  await run;
  const after = await db().erasureBatch.findUniqueOrThrow({ where: { id: batch.id }, select: { state: true } });
  return { ok: true, state: after.state };
}
