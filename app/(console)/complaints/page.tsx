import Link from "next/link";
import { recordAccess } from "@/lib/audit/log";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { findComplaints } from "@/lib/complaints/queries";
import { parseComplaintSearch } from "@/lib/complaints/schemas";
import { ComplaintsFilters, ComplaintsTable, type ComplaintRow } from "./complaints-table";

export const dynamic = "force-dynamic";
export const metadata = { title: "Complaints" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const day = (d: Date) => d.toISOString().slice(0, 16).replace("T", " ");

export default async function ComplaintsPage({ searchParams }: { searchParams: SearchParams }) {
  const op = await requireOperator("complaints.view");
  const search = parseComplaintSearch(await searchParams);
  const result = await findComplaints({ viewer: { id: op.id, role: op.role }, ...search, mine: search.mine === "1" });
  await recordAccess({ actor: actorOf(op), action: "complaint.list", outcome: "ok", details: { count: result.count, page: result.page } });
  const rows: ComplaintRow[] = result.data.map((c) => ({
    id: c.id, reference: c.reference, severity: c.severity, state: c.state, summary: c.summary.slice(0, 120),
    complainant: `${c.contactName} (${c.contactMasked})`, owner: c.owner, firstResponseDue: day(c.firstResponseDue),
    resolutionDue: day(c.resolutionDue), firstResponseLate: c.firstResponseLate, resolutionLate: c.resolutionLate,
  }));
  return (
    <>
      <h1>Complaints</h1>
      <p className="muted">Complaints about how personal data is handled (privacy notice section 4), with their first-response and resolution targets. Complainants are masked until revealed.</p>
      {can(op.role, "complaints.manage") && <p><Link className="btn btn-primary" href="/complaints/new">Take in a complaint</Link></p>}
      <ComplaintsFilters />
      <ComplaintsTable rows={rows} count={result.count} page={result.page} pageSize={result.pageSize} sort={{ id: search.sort, desc: search.dir === "desc" }} />
    </>
  );
}
