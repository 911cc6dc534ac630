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
import { erasureOffer } from "@/lib/requests/erasure-offer";
import { StartErasureForm } from "../../erasures/[id]/erasure-forms";
import { findRequestPackages } from "@/lib/exports/queries";
import { DeadlinePanel } from "./deadline-panel";
import { PackagesPanel } from "./packages-panel";
import { CandidatesPanel } from "./candidates-panel";
import { distinguishingTagOfPseudonym } from "@/lib/subjects/tags";
import { AssignForm, CloseForm, ExtendForm, StateForm } from "./request-controls";
import { StateBadge } from "../state-badge";
import { Timeline } from "./timeline";
import { RightsPanel } from "./rights-panel";
import { listRestrictions } from "@/lib/rights/restrictions";
import { listObjections } from "@/lib/rights/objections";
import { NotesPanel } from "./notes-panel";
import { listRequestNotes, NOTE_KIND_LABELS, NOTE_KINDS } from "@/lib/requests/notes";

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
  const [timeline, staff, subjects, erasures, notes] = await Promise.all([
    getRequestTimeline(r.id, viewer), canUpdate ? findAssignableStaff() : [], listRequestSubjects(r.id), jobsForRequest(r.id),
    listRequestNotes(r.id, viewer),
  ]);
  // Erasure (lib/requests/erasure-offer.ts): the full form on an erasure request; elsewhere only
  // the under-16 erasure (privacy notice 3.5), behind a disclosure; nothing twice.
  const offer = erasureOffer({
    requestType: r.type, open, canRequest: can(op.role, "erasure.request"), subjects: subjects.length,
    jobs: erasures.map((j) => ({ id: j.id, state: j.state })), reasons: ERASURE_REASONS,
  });
  const reasonOptions = offer.kind === "erasure_request" || offer.kind === "under_16_only"
    ? offer.reasons.map((value) => ({ value, label: REASON_LABELS[value as keyof typeof REASON_LABELS] })) : [];
  const blocked = offer.kind === "blocked" ? { jobId: offer.jobId, stateLabel: ERASURE_STATE_LABELS[offer.state] ?? offer.state } : undefined;
  const erasureForm = offer.kind === "none" ? null : (
    <StartErasureForm requestId={r.id} reasons={reasonOptions} canOpenJobs={can(op.role, "erasure.receipt")} blocked={blocked} />
  );

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
        <dl className="props">
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

      {(erasures.length > 0 || erasureForm) && (
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
          {offer.kind === "under_16_only" ? (
            <details>
              <summary>The person is under 16: erase their data without a second request</summary>
              {erasureForm}
            </details>
          ) : erasureForm}
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

      {can(op.role, "rights.restrict") && (
        <section className="card" aria-labelledby="rights-heading">
          <h2 id="rights-heading">Restriction and objection</h2>
          <RightsPanel
            requestId={r.id}
            open={open}
            restrictions={(await listRestrictions({ requestId: r.id })).map((x) => ({
              id: x.id, masked: x.masked, ground: x.ground, since: day(x.createdAt), lifted: x.liftedAt ? day(x.liftedAt) : null,
            }))}
            objections={(await listObjections(r.id)).map((o) => ({ id: o.id, processing: o.processing, decision: o.decision, reason: o.reason }))}
          />
        </section>
      )}
      <section className="card" aria-labelledby="notes-heading">
        <h2 id="notes-heading">Notes and correspondence</h2>
        <NotesPanel
          requestId={r.id}
          canAdd={can(op.role, "requests.update")}
          kinds={NOTE_KINDS.map((k) => ({ value: k, label: NOTE_KIND_LABELS[k] }))}
          notes={notes.map((n) => ({ id: n.id, kind: n.kind, kindLabel: NOTE_KIND_LABELS[n.kind] ?? n.kind, at: `${n.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC`, author: n.author, body: n.body }))}
        />
      </section>

      <section className="card" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <p className="muted">From the access log: every change and every view of this request.</p>
        <Timeline entries={timeline} />
      </section>
    </>
  );
}
