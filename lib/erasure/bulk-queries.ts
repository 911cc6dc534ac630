import { can, type Role } from "@/lib/authz";
import { db } from "@/lib/db";
import { maskIdentifier } from "@/lib/subjects/present-mask";
import { rejectedRowsCsv, type BulkKind } from "@/lib/erasure/bulk-parse";
import { isBulkRunning, readRow } from "@/lib/erasure/bulk-run";

// Reading bulk batches for the pages, the command line and the rejected-rows download.
// Identifiers leave here masked, except in the rejected-rows CSV (the uploader's own input,
// downloaded to be fixed; the download is access-logged by its route, and only the uploader or a
// role with erasure.approve may have it: mayDownloadRejected).

export const ROW_STATUSES = ["pending", "valid", "nothing_held", "rejected", "done", "failed"] as const;
export const ROW_STATUS_LABELS: Record<string, string> = {
  pending: "Checking",
  valid: "Held: will be erased",
  nothing_held: "Nothing held",
  rejected: "Rejected",
  done: "Erased",
  failed: "Failed",
};
export const BATCH_STATE_LABELS: Record<string, string> = {
  dry_run: "Dry run in progress",
  awaiting_approval: "Awaiting approval",
  approved: "Approved",
  running: "Running",
  done: "Done",
  rejected: "Rejected",
};

export async function listBatches(take = 50) {
  return db().erasureBatch.findMany({ orderBy: { createdAt: "desc" }, take });
}

export type BatchCounts = Record<(typeof ROW_STATUSES)[number], number> & { withJob: number; todo: number };

export async function batchCounts(batchId: string): Promise<BatchCounts> {
  const groups = await db().erasureBatchRow.groupBy({ by: ["status"], where: { batchId }, _count: { _all: true } });
  const counts = Object.fromEntries(ROW_STATUSES.map((s) => [s, 0])) as BatchCounts;
  for (const g of groups) (counts as Record<string, number>)[g.status] = g._count._all;
  counts.withJob = await db().erasureBatchRow.count({ where: { batchId, jobId: { not: null } } });
  // Rows execution still has to do (bulk-run.ts): held ones, and "nothing held" ones without a job.
  counts.todo = await db().erasureBatchRow.count({ where: { batchId, OR: [{ status: "valid" }, { status: "nothing_held", jobId: null }] } });
  return counts;
}

/** Progress of the phase the batch is in, from the rows' statuses. */
export function progressOf(state: string, c: BatchCounts, totalRows: number): { label: string; done: number; total: number } {
  const checkable = totalRows - c.rejected;
  if (state === "dry_run") return { label: "Dry run", done: checkable - c.pending, total: checkable };
  if (state === "running" || state === "done" || c.withJob > 0) {
    return { label: "Execution", done: checkable - c.todo, total: checkable };
  }
  return { label: "Dry run", done: checkable - c.pending, total: checkable };
}

export async function getBatch(batchId: string) {
  const batch = await db().erasureBatch.findUnique({ where: { id: batchId } });
  if (!batch) return null;
  const [counts, creator, approver, request] = await Promise.all([
    batchCounts(batchId),
    db().staff.findUnique({ where: { id: batch.createdById }, select: { displayName: true, email: true } }),
    batch.approvedById ? db().staff.findUnique({ where: { id: batch.approvedById }, select: { displayName: true } }) : null,
    batch.requestId ? db().request.findUnique({ where: { id: batch.requestId }, select: { reference: true } }) : null,
  ]);
  return {
    batch, counts, progress: progressOf(batch.state, counts, batch.totalRows),
    createdBy: creator?.displayName ?? "(unknown)", approvedBy: approver?.displayName ?? null, requestReference: request?.reference ?? null,
    dryRunning: isBulkRunning(batchId, "dry"), executing: isBulkRunning(batchId, "exec"),
  };
}
export type BatchView = NonNullable<Awaited<ReturnType<typeof getBatch>>>;

export type BatchRowView = { id: string; rowNo: number; masked: string; status: string; message: string | null; jobId: string | null };

function maskedOf(inputEnc: string, kind: string): string {
  const { values, subject } = readRow(inputEnc);
  if (subject) return maskIdentifier(subject.type, subject.value);
  // A rejected row: nothing readable to mask reliably, so only its shape.
  const raw = (kind === "mxid" ? values[0] : values[1]) ?? "";
  return raw.trim() ? `(${raw.trim().length} characters)` : "(empty)";
}

export async function pageBatchRows(batchId: string, kind: string, o: { page: number; pageSize: number; status?: string }) {
  const where = { batchId, ...(o.status ? { status: o.status } : {}) };
  const [rows, count] = await Promise.all([
    db().erasureBatchRow.findMany({ where, orderBy: { rowNo: "asc" }, skip: (o.page - 1) * o.pageSize, take: o.pageSize }),
    db().erasureBatchRow.count({ where }),
  ]);
  const view: BatchRowView[] = rows.map((r) => ({ id: r.id, rowNo: r.rowNo, masked: maskedOf(r.inputEnc, kind), status: r.status, message: r.error, jobId: r.jobId }));
  return { rows: view, count };
}

/** The rejected-rows CSV holds identifiers as typed: only for the batch's uploader or a role that approves erasures. */
export async function mayDownloadRejected(batchId: string, viewer: { id: string; role: Role }): Promise<"ok" | "denied" | "not_found"> {
  const batch = await db().erasureBatch.findUnique({ where: { id: batchId }, select: { createdById: true } });
  if (!batch) return "not_found";
  return batch.createdById === viewer.id || can(viewer.role, "erasure.approve") ? "ok" : "denied";
}

/** The rejected rows, as uploaded, with an "error" column: fix and re-upload. */
export async function rejectedCsvFor(batchId: string): Promise<{ csv: string; rows: number; fileName: string } | null> {
  const batch = await db().erasureBatch.findUnique({ where: { id: batchId }, select: { kind: true, fileName: true } });
  if (!batch) return null;
  const rows = await db().erasureBatchRow.findMany({ where: { batchId, status: "rejected" }, orderBy: { rowNo: "asc" }, select: { rowNo: true, inputEnc: true, error: true } });
  const csv = rejectedRowsCsv(batch.kind as BulkKind, rows.map((r) => ({ rowNo: r.rowNo, values: readRow(r.inputEnc).values, error: r.error })));
  const base = batch.fileName.replace(/\.csv$/i, "").replace(/[^\w.-]+/g, "_").slice(0, 80) || "batch";
  return { csv, rows: rows.length, fileName: `${base}-rejected.csv` };
}
