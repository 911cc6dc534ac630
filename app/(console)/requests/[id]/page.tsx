import Link from "next/link";
import { notFound } from "next/navigation";
import { recordAccess } from "@/lib/audit/log";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { CHANNEL_LABELS, IDENTIFICATION_LABELS, REQUEST_TYPE_LABELS, type Channel, type RequestType } from "@/lib/requests/catalogue";
import { findAssignableStaff, getRequest, getRequestTimeline } from "@/lib/requests/queries";
import { closeTransitions, openTransitions } from "@/lib/requests/states";
import { listRequestSubjects } from "@/lib/subjects/link";
import { jobsForRequest, STATE_LABELS as ERASURE_STATE_LABELS } from "@/lib/erasure/queries";
import { ERASURE_REASONS, REASON_LABELS } from "@/lib/erasure/workflow-support";
import { StartErasureForm } from "../../erasures/[id]/erasure-forms";
import { findRequestPackages } from "@/lib/exports/queries";
import { DeadlinePanel } from "./deadline-panel";
import { PackagesPanel } from "./packages-panel";
import { CandidatesPanel } from "./candidates-panel";
import { distinguishingTagOfPseudonym } from "@/lib/subjects/tags";
import { AssignForm, CloseForm, ExtendForm, StateForm } from "./request-controls";
import { StateBadge } from "../state-badge";
import { Timeline } from "./timeline";

export const dynamic = "force-dynamic";
export const metadata = { title: "Request" };

const day = (d: Date) => d.toISOString().slice(0, 10);

export default async function RequestPage({ params }: { params: Promise<{ id: string }> }) {
  const op = await requireOperator("requests.view");
  const { id } = await params;
  const viewer = { id: op.id, role: op.role };
  const r = await getRequest(id, viewer);
  if (!r) notFound();
  // The detail shows personal data (masked or not): every view is logged before anything renders.
  await recordAccess({
    actor: actorOf(op), action: "request.view", target: { type: "request", ref: r.id }, requestId: r.id, outcome: "ok",
    details: { masked: r.isMasked },
  });
  const open = !r.closedAt;
  const canUpdate = open && can(op.role, "requests.update");
  const [timeline, staff, subjects, erasures] = await Promise.all([
    getRequestTimeline(r.id, viewer), canUpdate ? findAssignableStaff() : [], listRequestSubjects(r.id), jobsForRequest(r.id),
  ]);
  // Erasure: from an erasure request for any reason; from any other open request only "under 16"
  // (privacy notice 3.5: handled without asking the person for a second request).
  const erasureReasons = ERASURE_REASONS.filter((x) => r.type === "erasure" || x === "under_16").map((value) => ({ value, label: REASON_LABELS[value] }));
  const canPrepareErasure = open && subjects.length > 0 && can(op.role, "erasure.request");

  return (
    <>
      <p><Link href="/requests">← Request register</Link></p>
      <h1>
        <span className="mono">{r.reference}</span> <StateBadge state={r.state} />{" "}
        {r.isOverdue && <span className="badge badge-bad">OVERDUE</span>}
      </h1>
      {r.isMasked && <p className="banner-warn">Personal data is masked for your role; free-text fields are withheld.</p>}

      <section className="card" aria-labelledby="details-heading">
        <h2 id="details-heading">Request</h2>
        <dl>
          <dt>Type</dt><dd>{REQUEST_TYPE_LABELS[r.type as RequestType] ?? r.type}</dd>
          <dt>Requester</dt><dd>{r.requesterName}</dd>
          <dt>Contact</dt><dd className="mono">{r.requesterContact}</dd>
          <dt>Received through</dt><dd>{CHANNEL_LABELS[r.channel as Channel] ?? r.channel}</dd>
          <dt>Identification</dt>
          <dd>{IDENTIFICATION_LABELS[r.identificationMethod]}{r.identificationNote && <> — {r.identificationNote}</>}</dd>
          <dt>Received on</dt><dd>{day(r.receivedAt)}</dd>
          <dt>Registered by</dt><dd>{r.createdByName}</dd>
          <dt>Assignee</dt><dd>{r.assigneeName ?? <span className="muted">Unassigned</span>}</dd>
          <dt>Summary</dt><dd style={{ whiteSpace: "pre-wrap" }}>{r.summary || <span className="muted">None</span>}</dd>
          {r.closedAt && (
            <>
              <dt>Closed on</dt><dd>{day(r.closedAt)}</dd>
              <dt>Outcome</dt><dd style={{ whiteSpace: "pre-wrap" }}>{r.outcome}</dd>
            </>
          )}
        </dl>
      </section>

      <DeadlinePanel request={r} />

      <section className="card" aria-labelledby="subjects-heading">
        <h2 id="subjects-heading">Subjects</h2>
        {subjects.length === 0 ? (
          <p className="muted">
            No person linked yet.{can(op.role, "subjects.reveal") && <> Find them under <Link href="/subjects">Find a person</Link> and link them here.</>}
          </p>
        ) : (
          <ul>
            {subjects.map((s) => (
              <li key={s.id}><span className="mono">{s.masked}</span> <span className="badge">{distinguishingTagOfPseudonym(s.pseudonym)}</span> <span className="muted">({s.type}, linked by {s.addedByName} on {s.createdAt.toISOString().slice(0, 10)})</span></li>
            ))}
          </ul>
        )}
        {subjects.length > 0 && can(op.role, "subjects.reverseLookup") && <CandidatesPanel requestId={r.id} open={open} />}
      </section>

      {(erasures.length > 0 || canPrepareErasure) && (
        <section className="card" aria-labelledby="erasure-heading">
          <h2 id="erasure-heading">Erasure</h2>
          {erasures.length > 0 && (
            <ul>
              {erasures.map((j) => (
                <li key={j.id}>
                  {can(op.role, "erasure.receipt") ? <Link href={`/erasures/${j.id}`} className="mono">{j.subjectMasked}</Link> : <span className="mono">{j.subjectMasked}</span>}{" "}
                  <span className="badge">{ERASURE_STATE_LABELS[j.state] ?? j.state}</span> <span className="muted">prepared {j.createdAt.toISOString().slice(0, 10)}</span>
                </li>
              ))}
            </ul>
          )}
          {canPrepareErasure && (
            <StartErasureForm requestId={r.id} reasons={erasureReasons} defaultReason={erasureReasons[0].value} canOpenJobs={can(op.role, "erasure.receipt")} />
          )}
        </section>
      )}

      {open && (
        <section className="card" aria-labelledby="actions-heading">
          <h2 id="actions-heading">Work on this request</h2>
          {canUpdate && <StateForm id={r.id} options={openTransitions(r.state)} />}
          {canUpdate && <AssignForm id={r.id} current={r.assigneeId} staff={staff} />}
          {can(op.role, "requests.extend") && !r.extendedDueAt && <ExtendForm id={r.id} originalDue={day(r.dueAt)} />}
          {can(op.role, "requests.close") && <CloseForm id={r.id} options={closeTransitions(r.state)} />}
          {!canUpdate && !can(op.role, "requests.close") && <p className="muted">Your role can view this request but not change it.</p>}
        </section>
      )}

      {(r.type === "access" || r.type === "portability") && can(op.role, "exports.review") && (
        <section className="card" aria-labelledby="packages-heading">
          <h2 id="packages-heading">Packages</h2>
          <PackagesPanel requestId={r.id} requestType={r.type} packages={await findRequestPackages(r.id)} canGenerate={open && can(op.role, "exports.generate")} />
        </section>
      )}

      <section className="card" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <p className="muted">From the access log: every change and every view of this request.</p>
        <Timeline entries={timeline} />
      </section>
    </>
  );
}
