import Link from "next/link";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { anomalyFlags, describeThresholds } from "@/lib/audit/workspace/anomalies";
import { newSeed, sampleRequests, type Sample } from "@/lib/audit/workspace/sample";
import { latestSth } from "@/lib/audit/proofs";
import { db } from "@/lib/db";

export const dynamic = "force-dynamic";
export const metadata = { title: "Audit workspace" };

// The auditor's workspace: draw a seeded sample of requests (recorded in the access log), open
// each one's trail, download a signed evidence pack; anomaly flags; the latest signed tree head.

const SEED = /^[\w.-]{1,64}$/;

export default async function AuditWorkspacePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const op = await requireOperator("accessLog.view");
  const q = await searchParams;
  const seedIn = typeof q.seed === "string" ? q.seed.trim() : "";
  const nIn = typeof q.n === "string" ? Number(q.n) : 10;
  const error = seedIn && !SEED.test(seedIn) ? "The seed may hold 1-64 letters, digits, '.', '-' or '_'." : !Number.isInteger(nIn) || nIn < 1 || nIn > 100 ? "Choose between 1 and 100 requests." : null;
  let sample: Sample | null = null;
  if (seedIn && !error) sample = await sampleRequests(actorOf(op), seedIn, nIn);
  const [flags, sth] = await Promise.all([anomalyFlags(), latestSth(db())]);
  const canExport = can(op.role, "accessLog.export");
  return (
    <>
      <h1>Audit workspace</h1>
      <p className="muted">Sample requests at random and follow each one&apos;s trail through the access log. The same seed always gives the same sample; every sample you draw is itself recorded.</p>

      <section aria-labelledby="sample-h">
        <h2 id="sample-h">Sample requests</h2>
        <form method="get" className="form-row">
          <label>Seed <input name="seed" defaultValue={seedIn || newSeed()} pattern="[\w.\-]{1,64}" required /></label>
          <label>Requests <input name="n" type="number" min={1} max={100} defaultValue={Number.isInteger(nIn) ? nIn : 10} required /></label>
          <button type="submit">Draw sample</button>
        </form>
        {error && <p className="banner-error" role="alert">{error}</p>}
        {sample && (
          <>
            <p>Seed <span className="mono">{sample.seed}</span>: {sample.requests.length} of {sample.population} requests.
              {canExport && <> <a href={`/api/audit/evidence?seed=${encodeURIComponent(sample.seed)}&n=${sample.n}`} download>Download evidence pack</a></>}</p>
            <div className="table-scroll"><table className="data" aria-label="Sampled requests">
              <thead><tr><th scope="col">Request</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Received</th><th scope="col">Closed</th></tr></thead>
              <tbody>
                {sample.requests.map((r) => (
                  <tr key={r.id}>
                    <td><Link href={`/audit/requests/${r.id}`} className="mono">{r.reference}</Link></td>
                    <td>{r.type}</td><td>{r.state}</td><td>{r.receivedAt.slice(0, 10)}</td><td>{r.closedAt?.slice(0, 10) ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table></div>
          </>
        )}
      </section>

      <section aria-labelledby="flags-h">
        <h2 id="flags-h">Anomaly flags (last 30 days)</h2>
        {flags.length === 0 ? <p className="muted">Nothing flagged.</p> : (
          <ul>
            {flags.map((f, i) => (
              <li key={i}><span className={`badge ${f.severity === "alert" ? "badge-bad" : "badge-warn"}`}>{f.kind}</span> {f.summary}
                {f.seqs.length > 0 && <span className="muted"> (entries {f.seqs.slice(0, 10).join(", ")}{f.seqs.length > 10 ? ", …" : ""})</span>}</li>
            ))}
          </ul>
        )}
        <p className="muted">Thresholds: {describeThresholds()} Each flag names its window, threshold and count; <code>audit:sample</code> prints each flag&apos;s basis (the rule to find its entries again).</p>
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
