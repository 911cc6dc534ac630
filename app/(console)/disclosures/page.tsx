import { recordAccess } from "@/lib/audit/log";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { LEGAL_BASIS_LABELS, NOTIFICATION_LABELS, findDisclosures, type LegalBasis, type Notification } from "@/lib/rights/disclosures";
import { paginationSchema, searchParamsObject } from "@/lib/validation";
import { DisclosureActions, RecordDisclosureForm } from "./disclosure-forms";

export const dynamic = "force-dynamic";
export const metadata = { title: "Disclosure register" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "—");

export default async function DisclosuresPage({ searchParams }: { searchParams: SearchParams }) {
  const op = await requireOperator("disclosures.view");
  const { page, pageSize } = paginationSchema.parse(searchParamsObject(await searchParams));
  const result = await findDisclosures({ page, pageSize });
  await recordAccess({ actor: actorOf(op), action: "disclosure.list", outcome: "ok", details: { count: result.count, page: result.page } });
  const mayRecord = can(op.role, "disclosures.record");
  const mayApprove = can(op.role, "disclosures.approve");
  return (
    <>
      <h1>Disclosure register</h1>
      <p className="muted">
        Exceptional disclosures of a person&apos;s data to a third party (privacy notice 3.4): what, to whom, on which basis, approved by a second
        person. Approved disclosures appear in the person&apos;s access package unless telling them is deferred.
      </p>
      <div className="table-scroll"><table className="data">
        <caption className="sr-only">Disclosures, newest first (page {result.page} of {result.totalPages})</caption>
        <thead>
          <tr><th scope="col">Reference</th><th scope="col">Date</th><th scope="col">Person</th><th scope="col">Recipient</th><th scope="col">Basis</th><th scope="col">What</th><th scope="col">Person told</th><th scope="col">State</th>{(mayApprove || mayRecord) && <th scope="col">Action</th>}</tr>
        </thead>
        <tbody>
          {result.data.length === 0 && <tr><td colSpan={9} className="muted">No disclosures recorded.</td></tr>}
          {result.data.map((d) => (
            <tr key={d.id}>
              <td>{d.reference}</td><td>{day(d.disclosedOn)}</td><td>{d.masked}</td><td>{d.recipient}{d.orderReference && <div className="muted">{d.orderReference}</div>}</td>
              <td>{LEGAL_BASIS_LABELS[d.legalBasis as LegalBasis] ?? d.legalBasis}</td><td>{d.whatShared}</td>
              <td>{NOTIFICATION_LABELS[d.notification as Notification] ?? d.notification}{d.deferredUntil && ` until ${day(d.deferredUntil)}`}</td>
              <td>{d.state}{d.approvedAt && <div className="muted">approved {day(d.approvedAt)}</div>}</td>
              {(mayApprove || mayRecord) && (
                <td>{d.state === "proposed" && <DisclosureActions id={d.id} reference={d.reference} mayApprove={mayApprove && d.createdById !== op.id} mayCancel={mayRecord} />}</td>
              )}
            </tr>
          ))}
        </tbody>
      </table></div>
      <p className="muted">{result.count} disclosure(s); page {result.page} of {result.totalPages}.</p>
      {mayRecord && <RecordDisclosureForm today={new Date().toISOString().slice(0, 10)} />}
    </>
  );
}
