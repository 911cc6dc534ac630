import Link from "next/link";
import { notFound } from "next/navigation";
import { recordAccess } from "@/lib/audit/log";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { getErasureJob, reasonLabel, STATE_LABELS, stateBadge } from "@/lib/erasure/queries";
import { buildReceipt } from "@/lib/erasure/receipt";
import { isRunningHere, previewErasure } from "@/lib/erasure/workflow";
import { ApproveForm, ExecuteForm, LiveProgress, ReplanForm } from "./erasure-forms";
import { PreviewView } from "./preview-view";
import { ReceiptView } from "./receipt-view";
import { WritesView } from "./writes-view";

export const dynamic = "force-dynamic";
export const metadata = { title: "Erasure" };

const at = (d: Date | null) => (d ? `${d.toISOString().replace("T", " ").slice(0, 16)} UTC` : "—");
const RECEIPT_STATES = ["phase2_pending", "completed", "nothing_held", "paused", "running"];

export default async function ErasurePage({ params }: { params: Promise<{ id: string }> }) {
  const op = await requireOperator("erasure.receipt");
  const { id } = await params;
  const job = await getErasureJob(id);
  if (!job) notFound();
  const actor = actorOf(op);
  await recordAccess({ actor, action: "erasure.view", target: { type: "request", ref: job.requestId }, requestId: job.requestId, outcome: "ok", details: { jobId: job.id, state: job.state } });
  const preview = can(op.role, "erasure.preview") ? await previewErasure(job.id, actor) : null;
  const showReceipt = RECEIPT_STATES.includes(job.state) && job.progress.total + (job.state === "nothing_held" ? 1 : 0) > 0;
  const receipt = showReceipt ? await buildReceipt(job.id) : null;
  if (receipt) await recordAccess({ actor, action: "erasure.receipt.view", target: { type: "request", ref: job.requestId }, requestId: job.requestId, outcome: "ok", details: { jobId: job.id } });
  const isRequester = op.id === job.requestedById;
  const canRun = can(op.role, "erasure.execute");
  const stale = job.state === "running" && !isRunningHere(job.id) && Date.now() - job.updatedAt.getTime() > 60_000;

  return (
    <>
      <p><Link href="/erasures">← Erasures</Link></p>
      <h1>Erasure of <span className="mono">{job.subjectMasked}</span> <span className={`badge ${stateBadge(job.state)}`}>{STATE_LABELS[job.state] ?? job.state}</span></h1>

      <section className="card" aria-labelledby="job-heading">
        <h2 id="job-heading">Job</h2>
        <dl className="props">
          <dt>Request</dt><dd className="mono">{can(op.role, "requests.view") ? <Link href={`/requests/${job.requestId}`}>{job.reference}</Link> : job.reference}{job.requestClosed && <span className="muted"> (closed)</span>}</dd>
          <dt>Reason</dt><dd>{reasonLabel(job.reason)}</dd>
          <dt>Asked for by</dt><dd>{job.requestedByName} <span className="muted">on {at(job.createdAt)}</span></dd>
          <dt>Approved by</dt><dd>{job.approvedByName ? <>{job.approvedByName} <span className="muted">on {at(job.approvedAt)}</span></> : <span className="muted">Not yet</span>}</dd>
          <dt>Executed by</dt><dd>{job.executedByName ?? <span className="muted">Not yet</span>}</dd>
          <dt>Inaccessible since</dt><dd>{at(job.phase1DoneAt)}</dd>
          <dt>Phase 2 due</dt>
          <dd>{at(job.clock.dueAt)}{job.clock.daysLeft !== null && <> ({job.clock.level === "overdue" ? <span className="badge badge-bad">OVERDUE</span> : `${job.clock.daysLeft} days left`})</>}</dd>
          <dt>Completed</dt><dd>{at(job.completedAt)}</dd>
        </dl>
        <div aria-live="polite" role="status" data-testid="progress">
          {job.state === "running" && !stale ? <LiveProgress jobId={job.id} done={job.progress.done} total={job.progress.total} />
            : job.progress.total > 0 && <p>Steps done: <strong>{job.progress.done} / {job.progress.total}</strong>{job.progress.failed > 0 && <> — {job.progress.failed} failed</>}</p>}
          {stale && <p>This run stopped (the process ended). Resume it.</p>}
        </div>
        {job.state === "paused" && <p className="banner-warn">Paused: {job.pausedReason ?? "an identity database was unavailable"}. Nothing was half-applied; resuming continues where it stopped.</p>}
        {canRun && (job.state === "paused" || stale) && <ExecuteForm jobId={job.id} label="Resume" />}
        {job.state === "paused" && job.progress.failed > 0 && can(op.role, "erasure.request") && (
          <>
            <p>If the data found was added after approval (for example a new binding), re-plan: the search runs again, the new plan replaces this one and a second person approves it again.</p>
            <ReplanForm jobId={job.id} />
          </>
        )}
        {canRun && job.state === "approved" && (
          <>
            <p>Running makes the person inaccessible on every server at once (unbinds through each live Sydent&apos;s internal API; replicated copies follow by replication), verifies each server, then starts phase 2. Stores Sydent has no API for (sessions, invites, accounts) wait for a maintenance window on a live server; the table below shows what waits.</p>
            <ExecuteForm jobId={job.id} label="Run erasure" />
          </>
        )}
      </section>

      {job.state === "awaiting_approval" && (
        <section className="card" aria-labelledby="approve-heading">
          <h2 id="approve-heading">Approval</h2>
          {isRequester ? <p className="muted">You asked for this erasure, so a second person with the approve permission must approve it (separation of duties).</p>
            : can(op.role, "erasure.approve") ? <ApproveForm jobId={job.id} masked={job.subjectMasked} reasonLabel={reasonLabel(job.reason)} />
            : <p className="muted">Awaiting approval by a data protection officer.</p>}
        </section>
      )}

      <WritesView writes={job.writes} />

      {receipt && <ReceiptView receipt={receipt} downloadHref={`/api/erasures/${job.id}/receipt`} />}
      {preview ? <PreviewView p={preview} decideFor={job.state === "awaiting_approval" && !isRequester && can(op.role, "erasure.approve") ? job.id : undefined} /> : !can(op.role, "erasure.preview") && <p className="muted">Your role sees the receipt, not the plan.</p>}
    </>
  );
}
