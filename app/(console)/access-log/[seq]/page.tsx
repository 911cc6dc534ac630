import Link from "next/link";
import { notFound } from "next/navigation";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { recordAccess } from "@/lib/audit/log";
import { entryNames, logTime, purposeDisplay } from "@/lib/audit/present";
import { db } from "@/lib/db";

export const dynamic = "force-dynamic";
export const metadata = { title: "Access-log entry" };

// GET /access-log/<seq> - one entry with every field it holds (the same fields the chain hashes,
// plus its own hash). Opening it is logged like the list (accessLog.view, with the seq).

function prettyDetails(details: string | null): string | null {
  if (!details) return null;
  try {
    return JSON.stringify(JSON.parse(details), null, 2);
  } catch {
    return details;
  }
}

export default async function AccessLogEntryPage({ params }: { params: Promise<{ seq: string }> }) {
  const op = await requireOperator("accessLog.view");
  const { seq: raw } = await params;
  const seq = /^\d{1,12}$/.test(raw) ? Number(raw) : NaN;
  const e = Number.isSafeInteger(seq) ? await db().accessLogEntry.findUnique({ where: { seq } }) : null;
  await recordAccess({ actor: actorOf(op), action: "accessLog.view", outcome: e ? "ok" : "not_found", details: { entry: Number.isSafeInteger(seq) ? seq : null } });
  if (!e) notFound();
  const names = await entryNames([e]);
  const purpose = purposeDisplay(e.purpose);
  const requestRef = e.requestId ? names.requests[e.requestId] : undefined;
  const details = prettyDetails(e.details);
  const targetName = e.targetRef ? (e.targetType === "request" ? names.requests[e.targetRef] : e.targetType === "staff" ? names.staff[e.targetRef] : undefined) : undefined;
  const outcomeBadge = e.outcome === "ok" ? "badge badge-ok" : e.outcome === "denied" || e.outcome === "error" ? "badge badge-bad" : "badge badge-warn";

  return (
    <>
      <p><Link href="/access-log">← Access log</Link></p>
      <h1>Entry <span className="mono">{e.seq}</span> <span className={outcomeBadge}>{e.outcome}</span></h1>
      <section className="card" aria-labelledby="entry-heading">
        <h2 id="entry-heading">Every field</h2>
        <dl className="props">
          <dt>Sequence</dt><dd className="mono">{e.seq}</dd>
          <dt>Time (UTC)</dt><dd><time dateTime={e.at.toISOString()}>{logTime(e.at.toISOString())}</time> <span className="muted mono">{e.at.toISOString()}</span></dd>
          <dt>Actor</dt><dd>{e.actorId && names.staff[e.actorId] ? <>{names.staff[e.actorId]} </> : null}<span className="mono wrap-any">{e.actorLabel}</span></dd>
          <dt>Actor id</dt><dd className="mono wrap-any">{e.actorId ?? "—"}</dd>
          <dt>Role</dt><dd>{e.actorRole}</dd>
          <dt>Action</dt><dd className="mono">{e.action} <Link href={`/access-log?action=${encodeURIComponent(e.action)}`}>(all entries with this action)</Link></dd>
          <dt>Target</dt>
          <dd>
            {!e.targetType ? "—" : <>{e.targetType}{" "}
              {e.targetPseudonym && <Link className="mono wrap-any" href={`/access-log?target=${e.targetPseudonym}`}>{e.targetPseudonym}</Link>}
              {e.targetRef && (e.targetType === "request" && targetName
                ? <Link className="mono" href={`/requests/${e.targetRef}`}>{targetName}</Link>
                : <span className="mono wrap-any">{targetName ? `${targetName} (${e.targetRef})` : e.targetRef}</span>)}</>}
          </dd>
          <dt>Request</dt>
          <dd>{!e.requestId ? "—" : requestRef ? <><Link className="mono" href={`/requests/${e.requestId}`}>{requestRef}</Link> <span className="muted mono">{e.requestId}</span></> : <span className="mono">{e.requestId}</span>}</dd>
          <dt>Purpose</dt>
          <dd>{!e.purpose ? "—" : <>{purpose.label && <strong>{purpose.label}</strong>}{purpose.label && purpose.note ? ": " : ""}<span style={{ whiteSpace: "pre-wrap" }}>{purpose.note}</span></>}</dd>
          <dt>Outcome</dt><dd>{e.outcome}</dd>
          <dt>IP address</dt><dd className="mono">{e.ip ?? "—"}</dd>
          <dt>User agent</dt><dd className="mono wrap-any">{e.userAgent ?? "—"}</dd>
          <dt>Details</dt><dd>{details ? <pre className="mono details-json">{details}</pre> : "—"}</dd>
          <dt>Previous hash</dt><dd className="mono wrap-any">{e.prevHash}</dd>
          <dt>Hash</dt><dd className="mono wrap-any">{e.hash}</dd>
        </dl>
      </section>
      <p>
        {e.seq > 1 && <Link href={`/access-log/${e.seq - 1}`}>← Entry {e.seq - 1}</Link>}{" "}
        <Link href={`/access-log/${e.seq + 1}`}>Entry {e.seq + 1} →</Link>
      </p>
    </>
  );
}
