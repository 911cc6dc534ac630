import { actorOf, requireOperator } from "@/lib/auth/guard";
import { recordAccess } from "@/lib/audit/log";
import { listAttestations } from "@/lib/retention/queries";

export const dynamic = "force-dynamic";

// Signed retention attestations for auditors: each downloads as a JSON file that
// `npm run cli -- retention:verify <file> --public-key <checkpoint .pub>` checks offline.

export default async function AttestationsPage() {
  const op = await requireOperator("retention.attestations");
  const rows = await listAttestations();
  await recordAccess({ actor: actorOf(op), action: "retention.attestations.view", outcome: "ok", details: { shown: rows.length } });
  return (
    <>
      <h1>Retention attestations</h1>
      <p className="muted">Signed with the checkpoint key (Ed25519) and linked into the access log. Verify a download offline with <span className="mono">retention:verify</span> and the public key.</p>
      <div className="table-scroll"><table className="data">
        <caption>Newest first (at most 200)</caption>
        <thead><tr><th scope="col">When (UTC)</th><th scope="col">Kind</th><th scope="col">By</th><th scope="col">Overdue</th><th scope="col">Findings</th><th scope="col">Access-log entry</th><th scope="col">SHA-256</th><th scope="col">Download</th></tr></thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.id}>
              <td>{a.createdAt.toISOString().slice(0, 19).replace("T", " ")}</td>
              <td>{a.kind}</td>
              <td>{a.operatorLabel}</td>
              <td>{a.overdue ? "yes" : "no"}</td>
              <td>{a.findings}</td>
              <td>{a.accessLogSeq}</td>
              <td className="mono">{a.payloadSha256.slice(0, 16)}…</td>
              <td><a href={`/api/retention/attestations/${a.id}`} download>Download {a.kind} attestation {a.createdAt.toISOString().slice(0, 10)}</a></td>
            </tr>
          ))}
          {rows.length === 0 && <tr><td colSpan={8}>No attestation yet.</td></tr>}
        </tbody>
      </table></div>
    </>
  );
}
