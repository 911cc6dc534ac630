import Link from "next/link";
import { recordAccess } from "@/lib/audit/log";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { BATCH_STATE_LABELS, listBatches } from "@/lib/erasure/bulk-queries";
import { ERASURE_REASONS, REASON_LABELS } from "@/lib/erasure/workflow";
import { listOpenRequests } from "@/lib/subjects/link";
import { BulkUploadForm } from "./bulk-forms";

export const dynamic = "force-dynamic";
export const metadata = { title: "Bulk erasure" };

export default async function BulkErasurePage() {
  const op = await requireOperator("erasure.request");
  const [batches, requests] = await Promise.all([listBatches(), listOpenRequests()]);
  await recordAccess({ actor: actorOf(op), action: "erasure.bulk.list", outcome: "ok", details: { count: batches.length } });
  return (
    <>
      <h1>Bulk erasure</h1>
      <p className="muted">
        Upload a CSV of deactivated Matrix IDs (header <code>mxid</code>) or of e-mail addresses and phone numbers
        (header <code>medium,address</code>; medium <code>email</code> or <code>msisdn</code>), UTF-8, at most 100,000 rows.
        Uploading runs a <strong>dry run</strong> only: nothing is erased until a second person approves the whole batch.
      </p>
      <section className="card" aria-labelledby="upload-h">
        <h2 id="upload-h">Upload</h2>
        <BulkUploadForm
          reasons={ERASURE_REASONS.map((r) => ({ value: r, label: REASON_LABELS[r] }))}
          requests={requests.map((r) => ({ value: r.id, label: r.label }))}
        />
      </section>
      <section aria-labelledby="batches-h">
        <h2 id="batches-h">Batches</h2>
        {batches.length === 0 ? <p className="muted">No batches yet.</p> : (
          <div className="table-scroll"><table className="data">
            <caption className="muted">The 50 most recent batches</caption>
            <thead><tr><th>Uploaded</th><th>File</th><th>Kind</th><th>State</th><th className="num">Rows</th><th className="num">Valid</th><th className="num">Rejected</th></tr></thead>
            <tbody>
              {batches.map((b) => (
                <tr key={b.id}>
                  <td>{b.createdAt.toISOString().slice(0, 16).replace("T", " ")}</td>
                  <td><Link href={`/erasures/bulk/${b.id}`}>{b.fileName}</Link></td>
                  <td>{b.kind === "mxid" ? "Matrix IDs" : "3PIDs"}</td>
                  <td><span className="badge">{BATCH_STATE_LABELS[b.state] ?? b.state}</span></td>
                  <td className="num">{b.totalRows}</td>
                  <td className="num">{b.validRows}</td>
                  <td className="num">{b.rejectedRows}</td>
                </tr>
              ))}
            </tbody>
          </table></div>
        )}
      </section>
    </>
  );
}
