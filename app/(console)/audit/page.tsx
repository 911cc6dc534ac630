import Link from "next/link";
import { redirect } from "next/navigation";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { describeThresholds } from "@/lib/audit/workspace/anomalies";
import { FLAG_WINDOW_DAYS, viewFlags } from "@/lib/audit/workspace/views";
import { newSeed, sampleRequests, type RecordedSample } from "@/lib/audit/workspace/sample";
import { sampleParamsError, sampleParamsSchema, sampleQuery } from "@/lib/audit/workspace/schemas";
import { latestSth } from "@/lib/audit/proofs";
import { searchParamsObject } from "@/lib/validation";
import { db } from "@/lib/db";

export const dynamic = "force-dynamic";
export const metadata = { title: "Audit workspace" };

// The auditor's workspace: draw a seeded sample of requests (recorded in the access log), open
// each one's trail, download the sample as CSV or a signed evidence pack; anomaly flags; the
// latest signed tree head.
// A sample is seed + size + cut-off. "Draw sample" submits seed and size (and a cut-off only to
// reproduce an earlier sample); without a cut-off the page fixes it to now and redirects to the
// URL that carries it, so a reload, the back button, the CSV and the evidence pack all use the same
// population. Drawing is recorded once (audit.sample; lib/audit/workspace/sample.ts skips the
// same person's identical draw within ten minutes). Viewing the flags is logged (audit.flags.view)
// on every view: they name staff and entries.

export default async function AuditWorkspacePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const op = await requireOperator("accessLog.view");
  const q = searchParamsObject(await searchParams);
  let error: string | null = null;
  let drawn: RecordedSample | null = null;
  if (q.seed !== undefined) {
    const parsed = sampleParamsSchema.safeParse(q);
    if (!parsed.success) error = sampleParamsError(parsed.error);
    else if (!parsed.data.cutoff) redirect(`/audit?${sampleQuery({ ...parsed.data, cutoff: new Date().toISOString() })}`);
    else drawn = await sampleRequests(actorOf(op), { ...parsed.data, cutoff: parsed.data.cutoff });
  }
  const [flags, sth] = await Promise.all([viewFlags(actorOf(op)), latestSth(db())]);
  const canExport = can(op.role, "accessLog.export");
  const sample = drawn?.sample ?? null;
  const query = sample ? sampleQuery(sample) : "";
  return (
    <>
      <h1>Audit workspace</h1>
      <p className="muted">Sample requests at random and follow each one&apos;s trail through the access log. The same seed and cut-off always give the same sample; every sample you draw is itself recorded.</p>

      <section aria-labelledby="sample-h">
        <h2 id="sample-h">Sample requests</h2>
        <form method="get" className="form-row">
          <label>Seed <input name="seed" defaultValue={q.seed || newSeed()} pattern="[\w.\-]{1,64}" required /></label>
          <label>Requests <input name="n" type="number" min={1} max={100} defaultValue={sample?.n ?? (/^\d{1,3}$/.test(q.n ?? "") ? q.n : 10)} required /></label>
          <label>Cut-off (UTC, optional) <input name="cutoff" defaultValue={error ? q.cutoff ?? "" : ""} placeholder="now" aria-describedby="cutoff-hint" /></label>
          <button type="submit">Draw sample</button>
        </form>
        <p id="cutoff-hint" className="muted small">The sample is drawn from the requests registered up to the cut-off. Leave it empty for now; to reproduce an earlier sample, enter its seed, size and cut-off.</p>
        {error && <p className="banner-error" role="alert">{error}</p>}
        {sample && drawn && (
          <>
            <p>Seed <span className="mono">{sample.seed}</span>, cut-off <time className="mono" dateTime={sample.cutoff}>{sample.cutoff}</time>: {sample.requests.length} of the {sample.population} requests registered by then.{" "}
              <span className="muted">Recorded in the access log as <Link href={`/access-log/${drawn.seq}`}>entry {drawn.seq}</Link>{drawn.repeated ? " (you drew this sample a moment ago)" : ""}.</span></p>
            {canExport && (
              <p>
                <a className="btn" href={`/api/audit/sample?${query}`} download>Download the sample as CSV</a>{" "}
                <a className="btn" href={`/api/audit/evidence?${query}`} download>Download evidence pack</a>
              </p>
            )}
            <div className="table-scroll"><table className="data" aria-label="Sampled requests">
              <thead><tr><th scope="col">Request</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Received</th><th scope="col">Closed</th></tr></thead>
              <tbody>
                {sample.requests.map((r) => (
                  <tr key={r.id}>
                    <td><Link href={`/audit/requests/${r.id}`} className="mono">{r.reference}</Link></td>
                    <td>{r.type}</td><td>{r.state}</td><td>{r.receivedAt.slice(0, 10)}</td><td>{r.closedAt?.slice(0, 10) ?? "—"}</td>
                  </tr>
                ))}
                {sample.requests.length === 0 && <tr><td colSpan={5} className="muted">No request was registered by the cut-off.</td></tr>}
              </tbody>
            </table></div>
          </>
        )}
      </section>

      <section aria-labelledby="flags-h">
        <h2 id="flags-h">Anomaly flags (last {FLAG_WINDOW_DAYS} days)</h2>
        {flags.length === 0 ? <p className="muted">Nothing flagged.</p> : (
          <ul>
            {flags.map((f, i) => (
              <li key={i}><span className={`badge ${f.severity === "alert" ? "badge-bad" : "badge-warn"}`}>{f.kind}</span> {f.summary}
                {f.seqs.length > 0 && <span className="muted"> (entries {f.seqs.slice(0, 10).join(", ")}{f.seqs.length > 10 ? ", …" : ""})</span>}</li>
            ))}
          </ul>
        )}
        <p className="muted">Thresholds: {describeThresholds()} Each flag names its window, threshold and count; <code>audit:sample</code> prints each flag&apos;s basis (the rule to find its entries again). Viewing the flags is recorded.</p>
      </section>

      <section aria-labelledby="sth-h">
        <h2 id="sth-h">Latest signed tree head</h2>
        {sth ? (
          <p>Size <strong>{sth.size}</strong>, root <span className="mono">{sth.root.slice(0, 16)}…</span>, sealed {sth.sealedAt} by {sth.sealedBy}, key <span className="mono">{sth.keyId}</span>. Witness it from your own machine with <code>audit:witness</code>; proofs at <code>/api/audit/tree</code>.</p>
        ) : <p className="muted">No signed tree head yet.</p>}
      </section>
    </>
  );
}
