import Link from "next/link";
import { forbidden, notFound } from "next/navigation";
import { z } from "zod";
import { recordAccess } from "@/lib/audit/log";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can, canApprove } from "@/lib/authz";
import { BATCH_STATE_LABELS, getBatch, pageBatchRows, ROW_STATUS_LABELS, ROW_STATUSES } from "@/lib/erasure/bulk-queries";
import { launchDryRun } from "@/lib/erasure/bulk-run";
import { REASON_LABELS, type ErasureReason } from "@/lib/erasure/workflow";
import { paginationSchema } from "@/lib/validation";
import { ApproveBatchForm, AutoRefresh, ExecuteBatchForm } from "../bulk-forms";
import { BatchRowsTable } from "./rows-table";

export const dynamic = "force-dynamic";
export const metadata = { title: "Bulk erasure batch" };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };
const filterSchema = paginationSchema.extend({ status: z.enum(ROW_STATUSES).optional().catch(undefined) });

export default async function BulkBatchPage({ params, searchParams }: Props) {
  const op = await requireOperator("erasure.request");
  const { id } = await params;
  const view = await getBatch(id.slice(0, 100));
  if (!view) notFound();
  const { batch, counts, progress } = view;
  // A Matrix-ID batch's per-row results are reverse lookups: only for roles allowed those (DPO).
  if (batch.kind === "mxid" && !can(op.role, "subjects.reverseLookup")) {
    await recordAccess({ actor: actorOf(op), action: "erasure.bulk.view", target: { type: "batch", ref: batch.id }, requestId: batch.requestId, outcome: "denied", details: { reason: "reverse lookup" } });
    forbidden();
  }
  // A dry run interrupted by a restart carries on from the rows still pending.
  if (batch.state === "dry_run" && !view.dryRunning) void launchDryRun(batch.id).catch(() => {});
  const q = filterSchema.parse(Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])));
  const page = await pageBatchRows(batch.id, batch.kind, q);
  await recordAccess({
    actor: actorOf(op), action: "erasure.bulk.view", target: { type: "batch", ref: batch.id }, requestId: batch.requestId, outcome: "ok",
    details: { page: q.page, rows: page.rows.length, status: q.status ?? null },
  });
  const active = batch.state === "dry_run" || batch.state === "running";
  const pct = progress.total ? Math.round((progress.done / progress.total) * 100) : 100;
  const mayApprove = batch.state === "awaiting_approval" && batch.validRows > 0 && canApprove({ id: op.id, role: op.role }, "erasure.approve", batch.createdById);
  const mayExecute = (batch.state === "approved" || (batch.state === "running" && !view.executing)) && can(op.role, "erasure.execute");
  return (
    <>
      <AutoRefresh active={active} />
      <p><Link href="/erasures/bulk">← Bulk erasure</Link></p>
      <h1>Batch {batch.fileName}</h1>
      <dl className="props">
        <dt>State</dt><dd><span className="badge">{BATCH_STATE_LABELS[batch.state] ?? batch.state}</span></dd>
        <dt>Kind</dt><dd>{batch.kind === "mxid" ? "Deactivated Matrix IDs" : "3PIDs (e-mail addresses, phone numbers)"}</dd>
        <dt>Reason</dt><dd>{REASON_LABELS[batch.reason as ErasureReason] ?? batch.reason}</dd>
        <dt>Request</dt><dd>{batch.requestId ? <Link href={`/requests/${batch.requestId}`}>{view.requestReference}</Link> : <span className="muted">None yet</span>}</dd>
        <dt>Uploaded</dt><dd>{batch.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC by {view.createdBy}</dd>
        <dt>Approved</dt><dd>{view.approvedBy ? `by ${view.approvedBy}` : <span className="muted">Not yet</span>}</dd>
      </dl>
      <section className="card" aria-labelledby="progress-h">
        <h2 id="progress-h">{progress.label}</h2>
        <div aria-live="polite">
          <progress max={progress.total} value={progress.done} aria-label={`${progress.label} progress`}>{pct}%</progress>{" "}
          <span data-testid="bulk-progress">{progress.done} of {progress.total} rows ({pct}%)</span>
        </div>
        <ul className="toolbar" aria-label="Rows by status">
          <li><Link href={`/erasures/bulk/${batch.id}`}>All: {batch.totalRows}</Link></li>
          {ROW_STATUSES.map((s) => (
            <li key={s}><Link href={`/erasures/bulk/${batch.id}?status=${s}`} data-testid={`count-${s}`}>{ROW_STATUS_LABELS[s]}: {counts[s]}</Link></li>
          ))}
        </ul>
        {counts.rejected > 0 && (op.id === batch.createdById || can(op.role, "erasure.approve")) && <p><a className="btn" href={`/api/erasures/bulk/${batch.id}/rejected`} download>Download rejected rows (CSV)</a></p>}
        {batch.state === "dry_run" && <p className="banner-warn">Dry run: nothing has been erased.</p>}
        {batch.state === "awaiting_approval" && <p className="banner-warn">Dry run complete: nothing has been erased. A second person must approve the whole batch.</p>}
        {mayApprove && <ApproveBatchForm batchId={batch.id} rows={batch.validRows} />}
        {mayExecute && <ExecuteBatchForm batchId={batch.id} resume={counts.withJob > 0} />}
      </section>
      <BatchRowsTable rows={page.rows} count={page.count} page={q.page} pageSize={q.pageSize} />
    </>
  );
}
