import Link from "next/link";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { recordAccess } from "@/lib/audit/log";
import { db } from "@/lib/db";
import { RETENTION_CLASSES } from "@/lib/logs/retention";
import { formatCalendarDate } from "@/lib/requests/due-date";
import { loadNotices } from "@/lib/retention/notices";
import { NoticeDecision, ProposeNoticeForm } from "./notice-forms";

export const dynamic = "force-dynamic";

// The recorded versions of the privacy notice: each one's retention limits per class, the
// sections promising them, the SHA-256 of its text, who proposed and who approved it. Retention
// policies never exceed the limits of the version in force (lib/retention/notices.ts).

const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace("T", " ") + " UTC" : "—");

export default async function NoticeVersionsPage() {
  const op = await requireOperator("retention.view");
  const book = await loadNotices();
  await recordAccess({ actor: actorOf(op), action: "retention.notice.list", outcome: "ok", details: { versions: book.all.length } });
  const staffIds = [...new Set(book.all.flatMap((n) => [n.proposedById, n.approvedById, n.rejectedById]).filter((x): x is string => Boolean(x)))];
  const staff = new Map((await db().staff.findMany({ where: { id: { in: staffIds } }, select: { id: true, displayName: true, email: true } })).map((s) => [s.id, `${s.displayName} (${s.email})`]));
  const who = (id: string | null) => (id ? staff.get(id) ?? id : "built in");
  const mayRecord = can(op.role, "retention.notice");
  const proposed = book.all.filter((n) => n.state === "proposed");
  const inForce = book.inForce;
  return (
    <>
      <h1>Privacy-notice versions</h1>
      <p className="muted">
        {inForce ? <>In force: <strong>{inForce.version}</strong>, since {formatCalendarDate(inForce.effectiveFrom)}.</> : "No approved version is in force."}{" "}
        {book.upcoming.length > 0 && <>Approved, still to come: {book.upcoming.map((n) => `${n.version} (from ${formatCalendarDate(n.effectiveFrom)})`).join(", ")}. </>}
        Retention policies never exceed these limits. <Link href="/retention">Log retention</Link>
      </p>
      {/* Focusable: a wide table scrolls inside its region, which keyboard users can scroll too. */}
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Recorded versions, scrollable"><table className="data" data-testid="notice-versions">
        <caption>Recorded versions (limits in days)</caption>
        <thead>
          <tr>
            <th scope="col">Version</th><th scope="col">Takes effect</th><th scope="col">State</th>
            {RETENTION_CLASSES.map((c) => <th scope="col" key={c}>{c}</th>)}
            <th scope="col">Text SHA-256</th><th scope="col">Proposed</th><th scope="col">Decided</th><th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {book.all.map((n) => (
            <tr key={n.id} data-testid={`notice-${n.version}`}>
              <th scope="row">{n.version}</th>
              <td>{formatCalendarDate(n.effectiveFrom)}</td>
              <td>
                <span className={`badge ${n.state === "approved" ? "badge-ok" : n.state === "rejected" ? "badge-bad" : "badge-warn"}`}>{n.state}</span>
                {n === inForce && <> (in force)</>}
              </td>
              {RETENTION_CLASSES.map((c) => <td key={c}>{n.limits[c]}{n.sections[c] && <span className="muted"> ({n.sections[c]})</span>}</td>)}
              <td className="mono" style={{ wordBreak: "break-all", minWidth: "16ch" }}>{n.textSha256 ?? "—"}</td>
              <td>{who(n.proposedById)}, {when(n.proposedAt)}</td>
              <td>
                {n.state === "approved" && <>approved by {who(n.approvedById)}, {when(n.approvedAt)}</>}
                {n.state === "rejected" && <>rejected by {who(n.rejectedById)}, {when(n.rejectedAt)}: {n.rejectReason}</>}
                {n.state === "proposed" && "waiting for a second administrator"}
              </td>
              <td>{n.reason}</td>
            </tr>
          ))}
        </tbody>
      </table></div>
      {proposed.map((n) => (
        <section className="card" key={n.id} aria-labelledby={`proposed-${n.id}`} data-testid={`proposed-${n.version}`}>
          <h2 id={`proposed-${n.id}`}>Proposed: version {n.version}</h2>
          <p>
            Takes effect on {formatCalendarDate(n.effectiveFrom)}; limits {RETENTION_CLASSES.map((c) => `${c} ${n.limits[c]}`).join(", ")} days
            {inForce && <> (in force now: {RETENTION_CLASSES.map((c) => `${c} ${inForce.limits[c]}`).join(", ")})</>}. Proposed by {who(n.proposedById)}.
          </p>
          {mayRecord && n.proposedById === op.id && <p className="muted">You proposed it: another administrator approves it.</p>}
          {mayRecord && <NoticeDecision noticeId={n.id} version={n.version} mayApprove={n.proposedById !== op.id} isProposer={n.proposedById === op.id} />}
        </section>
      ))}
      {mayRecord && (
        <ProposeNoticeForm
          classes={[...RETENTION_CLASSES]}
          current={inForce ? { version: inForce.version, limits: inForce.limits, sections: inForce.sections as Record<string, string> } : null}
        />
      )}
    </>
  );
}
