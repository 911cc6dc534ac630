import Link from "next/link";
import { requireOperator } from "@/lib/auth/guard";
import { can, ROLE_LABELS, type Permission } from "@/lib/authz";
import { waitingForMe } from "@/lib/dashboard-approvals";
import { listServersWithHealth } from "@/lib/servers/overview";
import { getDashboard } from "@/lib/dashboard";
import { erasureAlarmCounts } from "@/lib/erasure/alarms-view";
import { erasureAlarms } from "@/lib/erasure/phase2";
import { retentionAlarm } from "@/lib/retention/queries";
import { buildDigest } from "@/lib/requests/digest";

export const dynamic = "force-dynamic";

export default async function DashboardPage() {
  const op = await requireOperator("console.use");
  const d = await getDashboard(op.role);
  // The 30-day promise (privacy notice 3.1.2): erasures at day 25 or later raise an alarm here.
  const mayApprove = ["exports.approve", "erasure.approve", "staff.manage"].some((p) => can(op.role, p as Permission));
  const [waiting, attention] = await Promise.all([
    mayApprove ? waitingForMe({ id: op.id, role: op.role }) : null,
    can(op.role, "servers.view") ? listServersWithHealth().then((all) => all.filter((s) => s.health === "warn" || s.health === "bad")) : null,
  ]);
  const erasure = can(op.role, "erasure.receipt") ? { alarms: await erasureAlarms(), counts: await erasureAlarmCounts() } : null;
  // The notice's retention promises (3.2.2, 3.9): anything overdue in the latest signed evidence or
  // fallen due since, and a missing or stale audit (lib/retention/queries.ts#retentionAlarm).
  const retention = can(op.role, "retention.view") ? await retentionAlarm() : null;
  // What falls due this week, per person (the same digest requests:digest mails from cron).
  const digest = can(op.role, "requests.view") ? await buildDigest() : null;
  return (
    <>
      <h1>Dashboard</h1>
      <p className="muted">Signed in as {op.displayName} ({ROLE_LABELS[op.role]}).</p>
      <div className="grid">
        {d.requests && (
          <>
            <Link className="stat stat-link" href="/requests?state=open"><div className="value">{d.requests.open}</div><div className="label">Open requests</div></Link>
            <Link className={`stat stat-link${d.requests.overdue ? " badge-bad" : ""}`} href="/requests?overdue=1"><div className="value">{d.requests.overdue}</div><div className="label">Overdue (past the Art. 12(3) deadline)</div></Link>
            <Link className="stat stat-link" href="/requests?state=open&sort=due&dir=asc"><div className="value">{d.requests.dueSoon}</div><div className="label">Due within 7 days</div></Link>
          </>
        )}
        {waiting && (
          <a className={`stat stat-link${waiting.length ? " badge-warn" : ""}`} href="#waiting-heading"><div className="value">{waiting.length}</div><div className="label">Waiting for me to approve</div></a>
        )}
        {d.servers && (
          <Link className={`stat stat-link${attention && attention.length ? " badge-warn" : ""}`} href="/servers">
            <div className="value">{d.servers.count}</div>
            <div className="label">Registered identity servers{attention ? `, ${attention.length} needing attention` : ""}</div>
          </Link>
        )}
        {d.accessLog && (
          <Link className="stat stat-link" href="/access-log"><div className="value">{d.accessLog.entries}</div><div className="label">Access-log entries ({d.accessLog.checkpoints} signed checkpoints)</div></Link>
        )}
      </div>
      {waiting && (
        <section className="card" aria-labelledby="waiting-heading">
          <h2 id="waiting-heading">Waiting for me to approve</h2>
          {waiting.length === 0 ? <p className="muted">Nothing is waiting for your approval.</p> : (
            <ul>
              {waiting.map((w) => (
                <li key={`${w.kind}-${w.id}`}><Link href={w.href}>{w.label}</Link> <span className="muted">since {w.since.toISOString().slice(0, 10)}</span></li>
              ))}
            </ul>
          )}
        </section>
      )}
      {digest && (
        <section className="card" aria-labelledby="due-heading">
          <h2 id="due-heading">Due this week, by person</h2>
          {digest.groups.length === 0 ? <p className="muted">Nothing is overdue or due within 7 days.</p> : (
            <ul>
              {digest.groups.map((g) => (
                <li key={g.assigneeId ?? "unassigned"}>
                  <strong>{g.assignee}</strong>:{" "}
                  {g.items.map((i, n) => (
                    <span key={i.reference}>
                      {n > 0 && ", "}
                      <Link href={`/requests?q=${encodeURIComponent(i.reference)}`} className="mono">{i.reference}</Link>{" "}
                      <span className={i.overdue ? "badge badge-bad" : "muted"}>{i.overdue ? `overdue ${-i.daysLeft}d` : i.daysLeft === 0 ? "due today" : `${i.daysLeft}d`}</span>
                    </span>
                  ))}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {attention && attention.length > 0 && (
        <section className="card" aria-labelledby="attention-heading">
          <h2 id="attention-heading">Servers needing attention</h2>
          <ul>
            {attention.map((s) => (
              <li key={s.server.id}>
                <Link href={`/servers/${s.server.id}`}>{s.server.label}</Link>{" "}
                <span className={s.health === "bad" ? "badge badge-bad" : "badge badge-warn"}>{s.health === "bad" ? "Unreadable" : "Warning"}</span>{" "}
                <span className="muted">{s.reasons.slice(0, 2).join("; ")}{s.reasons.length > 2 ? ` (and ${s.reasons.length - 2} more)` : ""}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {erasure && (erasure.alarms.length > 0 || erasure.counts.paused > 0) && (
        <section className="card banner-error" aria-labelledby="erasure-alarm-heading" data-testid="erasure-alarm">
          <h2 id="erasure-alarm-heading">Erasures approaching the 30-day limit</h2>
          <p>
            {erasure.alarms.filter((a) => a.overdue).length} overdue, {erasure.alarms.filter((a) => !a.overdue).length} at day 25 or later
            {erasure.counts.paused > 0 && <>, {erasure.counts.paused} paused</>}.
          </p>
          <ul>
            {erasure.alarms.slice(0, 10).map((a) => (
              <li key={a.jobId}><Link href={`/erasures/${a.jobId}`} className="mono">{a.subjectMasked}</Link> — day {a.day}, due {a.dueAt.slice(0, 10)}{a.overdue && " (OVERDUE)"}</li>
            ))}
          </ul>
        </section>
      )}
      {retention && (retention.overdueSources.length > 0 || retention.storesOverdue > 0) && (
        <section className="card banner-error" aria-labelledby="retention-alarm-heading" data-testid="retention-alarm">
          <h2 id="retention-alarm-heading">Log copies kept past their retention period</h2>
          <ul>
            {retention.overdueSources.map((s) => (
              <li key={s.source}>
                <Link href={`/retention/${encodeURIComponent(s.source)}`}>{s.source}</Link> — overdue by up to {s.maxOverdueDays} day(s)
                {s.dueSinceAudit > 0 && <> ({s.dueSinceAudit} file(s) fell due after the last audit: audit again)</>}
              </li>
            ))}
            {retention.storesOverdue > 0 && <li><Link href="/retention">{retention.storesOverdue} table(s) or store(s) past their policy</Link></li>}
          </ul>
        </section>
      )}
      {retention && retention.stale && (
        <p className="banner-error" data-testid="retention-stale">
          <Link href="/retention">{!retention.audited ? "Log retention has not been audited yet" : retention.staleServers.length ? `Log retention evidence is missing or more than ${retention.staleHours} hours old for ${retention.staleServers.map((x) => `${x.server} (${x.lastAuditAt ? x.lastAuditAt.slice(0, 16).replace("T", " ") + " UTC" : "never audited"})`).join(", ")}` : `Log retention was last audited ${retention.lastAuditAt!.slice(0, 16).replace("T", " ")} UTC, more than ${retention.staleHours} hours ago`}</Link>: run retention:audit (daily from cron).
        </p>
      )}
      {erasure && erasure.counts.awaitingApproval > 0 && (
        <p><Link href="/erasures">{erasure.counts.awaitingApproval} erasure(s) awaiting approval</Link></p>
      )}
      <h2>Shortcuts</h2>
      <ul>
        {can(op.role, "requests.create") && <li><Link href="/requests/new">Take in a request or complaint</Link></li>}
        {can(op.role, "requests.view") && <li><Link href="/requests?overdue=1">Overdue requests</Link></li>}
        {can(op.role, "servers.view") && <li><Link href="/servers">Identity-server health</Link></li>}
        {can(op.role, "accessLog.view") && <li><Link href="/access-log">Review the access log</Link></li>}
        {can(op.role, "staff.manage") && <li><Link href="/admin/staff">Manage staff</Link></li>}
      </ul>
    </>
  );
}
