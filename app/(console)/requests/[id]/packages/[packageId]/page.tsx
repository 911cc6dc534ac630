import Link from "next/link";
import { notFound } from "next/navigation";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { getPackage } from "@/lib/exports/queries";
import { loadReview } from "@/lib/exports/review";
import { recordForPersons } from "@/lib/subjects/person-log";
import { ApproveForm, RevokeForm } from "./package-controls";
import { CsvPreview, GuideFrame, RedactionList } from "./package-files";

export const dynamic = "force-dynamic";
export const metadata = { title: "Review package" };

const when = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace("T", " ")} UTC` : "—");

export default async function PackagePage({ params }: { params: Promise<{ id: string; packageId: string }> }) {
  const op = await requireOperator("exports.review");
  const { id, packageId } = await params;
  const pkg = await getPackage(packageId, id);
  if (!pkg) notFound();
  // Reviewing shows the subject's data in clear: logged against the person (their linked
  // identifiers' pseudonyms) and on the request's timeline, before rendering.
  await recordForPersons(pkg.requestId, { actor: actorOf(op), action: "export.review", requestId: pkg.requestId, outcome: "ok", details: { packageId: pkg.id } });
  const review = pkg.state === "generated" || pkg.state === "approved" ? await loadReview(pkg) : null;
  const isGenerator = op.id === pkg.generatedById;
  const guide = review?.ok ? review.files.find((f) => f.name === "guide.html") : undefined;

  return (
    <>
      <p><Link href={`/requests/${pkg.requestId}`}>← Back to the request</Link></p>
      <h1>{pkg.kind === "portability" ? "Portability" : "Access"} package <span className="badge">{pkg.state}</span></h1>
      <section className="card" aria-labelledby="pkg-heading">
        <h2 id="pkg-heading">Package</h2>
        <dl className="props">
          <dt>Subject</dt><dd className="mono">{pkg.subjectMasked}</dd>
          <dt>Generated</dt><dd>{when(pkg.generatedAt)} by {pkg.generatedByName}</dd>
          <dt>Approved</dt><dd>{pkg.approvedAt ? `${when(pkg.approvedAt)} by ${pkg.approvedByName}` : "Not yet"}</dd>
          <dt>Link expires</dt><dd>{when(pkg.downloadExpiresAt)}</dd>
          <dt>Downloaded</dt><dd>{when(pkg.downloadedAt)}</dd>
          <dt>Zip SHA-256</dt><dd className="mono">{pkg.sha256} ({pkg.sizeBytes} bytes)</dd>
        </dl>
        {pkg.summary.servers.some((s) => !s.ok) && <p className="banner-warn">Some identity servers could not be read; the package is incomplete.</p>}
        {pkg.summary.logProblems > 0 && <p className="banner-warn">{pkg.summary.logProblems} log file(s) could not be read completely.</p>}
      </section>

      <section className="card" aria-labelledby="release-heading">
        <h2 id="release-heading">Release</h2>
        {/* One element in one place for both states: when approval re-renders the page as "approved",
            React keeps the approver's form mounted, so the one-time link it holds stays on screen. */}
        {((pkg.state === "generated" && can(op.role, "exports.approve") && !isGenerator && review?.ok) ||
          (pkg.state === "approved" && pkg.approvedById === op.id)) && (
          <ApproveForm packageId={pkg.id} requestId={pkg.requestId} approved={pkg.state === "approved"} />
        )}
        {pkg.state === "generated" && isGenerator && (
          <p className="banner-warn">You generated this package, so you cannot approve it: a second person must (separation of duties).</p>
        )}
        {pkg.state === "generated" && !can(op.role, "exports.approve") && <p className="muted">Your role can review packages but not approve them.</p>}
        {pkg.state === "approved" && <p>Approved. The download link was shown once to the approver; it works once until {when(pkg.downloadExpiresAt)}.</p>}
        {(pkg.state === "generated" || pkg.state === "approved") && can(op.role, "exports.generate") && <RevokeForm packageId={pkg.id} requestId={pkg.requestId} />}
        {review && !review.ok && <p className="banner-error">{review.message}</p>}
      </section>

      <section className="card" aria-labelledby="counts-heading">
        <h2 id="counts-heading">What it holds</h2>
        <div className="table-scroll"><table className="data">
          <thead><tr><th scope="col">Record kind</th><th scope="col">Records</th></tr></thead>
          <tbody>{Object.entries(pkg.summary.counts).map(([k, n]) => <tr key={k}><td>{k}</td><td>{n}</td></tr>)}</tbody>
        </table></div>
        <h3>Manifest</h3>
        <div className="table-scroll"><table className="data">
          <thead><tr><th scope="col">File</th><th scope="col">Bytes</th><th scope="col">SHA-256</th></tr></thead>
          <tbody>{pkg.summary.files.map((f) => <tr key={f.name}><td className="mono">{f.name}</td><td>{f.bytes}</td><td className="mono">{f.sha256}</td></tr>)}</tbody>
        </table></div>
      </section>

      {review?.ok && (
        <>
          <section className="card" aria-labelledby="redactions-heading">
            <h2 id="redactions-heading">Redactions</h2>
            <RedactionList redactions={review.redactions} />
          </section>
          <section className="card" aria-labelledby="guide-heading">
            <h2 id="guide-heading">Guide</h2>
            {guide && <GuideFrame file={guide} />}
          </section>
          <section className="card" aria-labelledby="files-heading">
            <h2 id="files-heading">CSV files</h2>
            {review.files.filter((f) => f.name.endsWith(".csv")).map((f) => <CsvPreview key={f.name} file={f} />)}
            <details>
              <summary className="mono">data.json</summary>
              <pre className="mono" style={{ maxHeight: "30rem", overflow: "auto" }}>{review.files.find((f) => f.name === "data.json")?.text}</pre>
            </details>
          </section>
        </>
      )}
    </>
  );
}
