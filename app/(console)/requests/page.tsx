import Link from "next/link";
import { recordAccess } from "@/lib/audit/log";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { findAssignableStaff, findRequests } from "@/lib/requests/queries";
import { parseRequestSearch } from "@/lib/requests/schemas";
import { RequesterSearch } from "./requester-search";
import { RequestsFilters, RequestsTable, type RequestRow } from "./requests-table";

export const dynamic = "force-dynamic";
export const metadata = { title: "Request register" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function RequestsPage({ searchParams }: { searchParams: SearchParams }) {
  const op = await requireOperator("requests.view");
  const search = parseRequestSearch(await searchParams);
  const viewer = { id: op.id, role: op.role };
  const [result, staff] = await Promise.all([findRequests({ ...search, viewer }), findAssignableStaff()]);
  const masked = !can(op.role, "requests.viewPersonal");
  // The list shows requesters (masked or not): the view is logged like any other.
  await recordAccess({
    actor: actorOf(op), action: "request.list", outcome: "ok",
    details: { masked, count: result.count, page: result.page, ids: result.data.map((r) => r.id) },
  });
  // Only what the table shows crosses to the client.
  const rows: RequestRow[] = result.data.map((r) => ({
    id: r.id,
    reference: r.reference,
    type: r.type,
    state: r.state,
    requester: r.requesterName,
    receivedAt: r.receivedAt.toISOString().slice(0, 10),
    due: r.effectiveDueAt.toISOString().slice(0, 10),
    extended: !!r.extendedDueAt,
    daysLeft: r.daysLeft,
    isOverdue: r.isOverdue,
    assignee: r.assigneeName,
  }));

  return (
    <>
      <h1>Request register</h1>
      <p className="muted">
        Data-protection requests and complaints, with the one-month deadline of GDPR Art. 12(3).
        {masked && " Requesters' names are masked for your role."}
      </p>
      {can(op.role, "requests.create") && (
        <p><Link className="btn btn-primary" href="/requests/new">Take in a request</Link></p>
      )}
      {!masked && <RequesterSearch />}
      <RequestsFilters staff={staff.map((s) => ({ value: s.id, label: s.displayName }))} />
      <RequestsTable
        rows={rows}
        count={result.count}
        page={result.page}
        pageSize={result.pageSize}
        sort={{ id: search.sort, desc: search.dir === "desc" }}
      />
    </>
  );
}
