import Link from "next/link";
import { requireOperator } from "@/lib/auth/guard";
import { can, ROLE_LABELS } from "@/lib/authz";
import { getDashboard } from "@/lib/dashboard";

export const dynamic = "force-dynamic";

export default async function DashboardPage() {
  const op = await requireOperator("console.use");
  const d = await getDashboard(op.role);
  return (
    <>
      <h1>Dashboard</h1>
      <p className="muted">Signed in as {op.displayName} ({ROLE_LABELS[op.role]}).</p>
      <div className="grid">
        {d.requests && (
          <>
            <div className="stat"><div className="value">{d.requests.open}</div><div className="label">Open requests</div></div>
            <div className={`stat${d.requests.overdue ? " badge-bad" : ""}`}><div className="value">{d.requests.overdue}</div><div className="label">Overdue (past the Art. 12(3) deadline)</div></div>
            <div className="stat"><div className="value">{d.requests.dueSoon}</div><div className="label">Due within 7 days</div></div>
          </>
        )}
        {d.servers && (
          <div className="stat"><div className="value">{d.servers.count}</div><div className="label">Registered identity servers</div></div>
        )}
        {d.accessLog && (
          <div className="stat"><div className="value">{d.accessLog.entries}</div><div className="label">Access-log entries ({d.accessLog.checkpoints} signed checkpoints)</div></div>
        )}
      </div>
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
