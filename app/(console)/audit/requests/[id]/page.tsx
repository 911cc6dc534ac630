import Link from "next/link";
import { notFound } from "next/navigation";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { entryNames } from "@/lib/audit/present";
import { trailSearchSchema } from "@/lib/audit/workspace/schemas";
import { viewTrail } from "@/lib/audit/workspace/views";
import { searchParamsObject } from "@/lib/validation";
import { TrailTable } from "./trail-table";

export const dynamic = "force-dynamic";
export const metadata = { title: "Request trail" };

// One request's trail in the access log (search, reveals, package, approvals, erasure steps,
// receipts), pseudonymous as the access log is, a page at a time (lib/audit/workspace/trail.ts).
// Viewing it is logged (audit.trail.view, with the page); an unknown id is logged as not_found
// before the 404, so probes are in the log too.

export default async function RequestTrailPage({ params, searchParams }: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const op = await requireOperator("accessLog.view");
  const { id } = await params;
  const search = trailSearchSchema.parse(searchParamsObject(await searchParams));
  const found = await viewTrail(actorOf(op), id, search);
  if (!found) notFound();
  const { scope, result } = found;
  const names = await entryNames(result.data);
  const rows = result.data.map((r) => ({
    seq: r.seq, at: r.at.toISOString(), actorLabel: r.actorLabel, actorRole: r.actorRole, action: r.action, outcome: r.outcome, match: r.match,
    targetType: r.targetType, targetPseudonym: r.targetPseudonym, requestId: r.requestId,
    requestRef: r.requestId ? names.requests[r.requestId] ?? null : null,
  }));
  const { request } = scope;
  return (
    <>
      <p><Link href="/audit">← Audit workspace</Link></p>
      <h1>Trail of <span className="mono">{request.reference}</span></h1>
      <p className="muted">
        {request.type} request, {request.state}. {(result.count - result.bySubject).toLocaleString("en-GB")} access-log entries name this request
        {scope.pseudonyms.length > 0 && <>; {result.bySubject.toLocaleString("en-GB")} more are about a person linked to it, written while it was open
          ({request.createdAt.toISOString().slice(0, 10)} to {request.closedAt ? request.closedAt.toISOString().slice(0, 10) : "now"}), and are marked
          &ldquo;matched by subject, not linked to the request&rdquo;: the log does not say they were done for this request</>}.
      </p>
      {can(op.role, "accessLog.export") && (
        <p><a className="btn" href={`/api/audit/requests/${encodeURIComponent(request.id)}/trail`} download>Export the whole trail as CSV</a></p>
      )}
      <TrailTable rows={rows} count={result.count} page={result.page} pageSize={result.pageSize} sort={{ id: search.sort, desc: search.dir === "desc" }} />
    </>
  );
}
