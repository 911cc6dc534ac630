import Link from "next/link";
import { notFound } from "next/navigation";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { COMPLAINT_STATE_LABELS, TARGETS, type ComplaintState, type Severity } from "@/lib/complaints/catalogue";
import { getComplaint } from "@/lib/complaints/queries";
import { ComplaintControls } from "./complaint-controls";

export const dynamic = "force-dynamic";
export const metadata = { title: "Complaint" };

const at = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace("T", " ")} UTC` : "—");

export default async function ComplaintPage({ params }: { params: Promise<{ id: string }> }) {
  const op = await requireOperator("complaints.view");
  const { id } = await params;
  const c = await getComplaint(id, { ...actorOf(op), id: op.id, role: op.role });
  if (!c) notFound();
  const manage = can(op.role, "complaints.manage");
  return (
    <>
      <p><Link href="/complaints">← Complaints</Link></p>
      <h1>Complaint {c.reference}</h1>
      <section className="card" aria-labelledby="c-summary">
        <h2 id="c-summary">Summary</h2>
        <dl className="props">
          <dt>State</dt><dd>{COMPLAINT_STATE_LABELS[c.state as ComplaintState] ?? c.state}</dd>
          <dt>Severity</dt><dd>{TARGETS[c.severity as Severity]?.label ?? c.severity}</dd>
          <dt>Owner</dt><dd>{c.owner ?? "Unassigned"}</dd>
          <dt>Complainant</dt><dd>{c.contactName} ({c.contactMasked})</dd>
          <dt>Received</dt><dd>{at(c.receivedAt)}</dd>
          <dt>First response by</dt><dd>{at(c.firstResponseDue)} {c.firstResponseAt ? `(answered ${at(c.firstResponseAt)})` : ""}</dd>
          <dt>Resolve by</dt><dd>{at(c.resolutionDue)}</dd>
          {c.escalatedAt && (<><dt>Escalated</dt><dd>{at(c.escalatedAt)}</dd></>)}
          {c.resolvedAt && (<><dt>Resolved</dt><dd>{at(c.resolvedAt)}: {c.resolution}</dd></>)}
        </dl>
        <p>{c.summary}</p>
      </section>
      <section className="card" aria-labelledby="c-links">
        <h2 id="c-links">Linked</h2>
        {c.links.length === 0 ? <p className="muted">Nothing linked yet.</p> : (
          <ul>
            {c.links.map((l) => (
              <li key={l.id}>
                {l.relation === "about" ? "About" : "Caused"} {l.kind === "accessLog" ? "access-log entry" : l.kind}:{" "}
                {l.kind === "request" ? <Link href={`/requests/${l.ref}`}>{l.label}</Link> : l.kind === "erasure" ? <Link href={`/erasures/${l.ref}`}>{l.label}</Link> : l.label}
              </li>
            ))}
          </ul>
        )}
      </section>
      {c.accessEntries && (
        <section className="card" aria-labelledby="c-access">
          <h2 id="c-access">Who accessed this person&apos;s data</h2>
          <p className="muted">Access-log entries under the person&apos;s pseudonym (shown to the DPO only).</p>
          <div className="table-scroll"><table className="data">
            <caption className="sr-only">Access-log entries about the person</caption>
            <thead><tr><th scope="col">#</th><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Outcome</th><th scope="col">Purpose</th></tr></thead>
            <tbody>
              {c.accessEntries.map((e) => (
                <tr key={e.seq}><td>{e.seq}</td><td>{at(e.at)}</td><td>{e.actorLabel} ({e.actorRole})</td><td>{e.action}</td><td>{e.outcome}</td><td>{e.purpose ?? ""}</td></tr>
              ))}
            </tbody>
          </table></div>
        </section>
      )}
      <section className="card" aria-labelledby="c-messages">
        <h2 id="c-messages">Correspondence</h2>
        {c.messages.length === 0 ? <p className="muted">No replies yet.</p> : (
          <ol>{c.messages.map((m) => <li key={m.id}><strong>{at(m.at)}</strong> {m.author} ({m.template ?? m.direction}): {m.body}</li>)}</ol>
        )}
      </section>
      {manage && c.state !== "resolved" && (
        <ComplaintControls id={c.id} state={c.state} canResolveEscalated={can(op.role, "complaints.resolveEscalated")} canReveal={can(op.role, "requests.viewPersonal")} />
      )}
    </>
  );
}
