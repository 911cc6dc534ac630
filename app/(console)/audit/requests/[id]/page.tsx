import Link from "next/link";
import { notFound } from "next/navigation";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { recordAccess } from "@/lib/audit/log";
import { requestTrail } from "@/lib/audit/workspace/sample";
import { db } from "@/lib/db";

export const dynamic = "force-dynamic";
export const metadata = { title: "Request trail" };

// One request's whole trail in the access log (search, reveals, package, approvals, erasure
// steps, receipts), pseudonymous as the access log is. Viewing it is logged (audit.trail.view).

export default async function RequestTrailPage({ params }: { params: Promise<{ id: string }> }) {
  const op = await requireOperator("accessLog.view");
  const { id } = await params;
  const request = await db().request.findUnique({ where: { id }, select: { id: true, reference: true, type: true, state: true } });
  if (!request) notFound();
  const trail = await requestTrail(id);
  await recordAccess({ actor: actorOf(op), action: "audit.trail.view", outcome: "ok", target: { type: "request", ref: id }, details: { entries: trail.length } });
  return (
    <>
      <p><Link href="/audit">← Audit workspace</Link></p>
      <h1>Trail of <span className="mono">{request.reference}</span></h1>
      <p className="muted">{request.type} request, {request.state}. {trail.length} access-log entries name this request.</p>
      <div className="table-scroll"><table className="data" aria-label="Request trail">
        <thead><tr><th scope="col">Seq</th><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">Role</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th></tr></thead>
        <tbody>
          {trail.map((e) => (
            <tr key={e.seq}>
              <td className="mono">{e.seq}</td><td>{e.at.toISOString().replace("T", " ").slice(0, 19)}</td><td>{e.actorLabel}</td><td>{e.actorRole}</td>
              <td>{e.action}</td><td className="mono">{e.targetPseudonym ? `${e.targetType}:${e.targetPseudonym.slice(0, 12)}…` : e.targetType ?? "—"}</td><td>{e.outcome}</td>
            </tr>
          ))}
        </tbody>
      </table></div>
    </>
  );
}
