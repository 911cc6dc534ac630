import { requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { db } from "@/lib/db";
import { getLastCheckpoint } from "@/lib/audit/queries";
import { IntegrityPanel } from "../../access-log/integrity-panel";

export const dynamic = "force-dynamic";
export const metadata = { title: "Access-log integrity" };

// GET /admin/audit - verify the access log's hash chain and signed checkpoints, and (admin, DPO)
// seal a checkpoint now: what `audit:verify` and `audit:seal` do on the command line. Reading
// the entries themselves stays with accessLog.view (DPO, auditor); this page shows only counts.
export default async function AuditIntegrityPage() {
  const op = await requireOperator("accessLog.verify");
  const [lastCheckpoint, head, checkpoints] = await Promise.all([
    getLastCheckpoint(),
    db().accessLogHead.findUnique({ where: { id: 1 }, select: { seq: true } }),
    db().accessLogCheckpoint.count(),
  ]);
  return (
    <>
      <h1>Access-log integrity</h1>
      <p className="muted">
        Every entry carries the hash of the one before it; signed checkpoints seal the chain with the console&apos;s Ed25519 key.
        Verifying recomputes every hash and checks every signature, and is itself recorded. The same checks run offline with{" "}
        <code>npm run cli -- audit:verify</code>.
      </p>
      <section className="card" aria-labelledby="chain-heading">
        <h2 id="chain-heading">The chain</h2>
        <dl className="props">
          <dt>Entries</dt><dd>{(head?.seq ?? 0).toLocaleString("en-GB")}</dd>
          <dt>Signed checkpoints</dt><dd>{checkpoints.toLocaleString("en-GB")}</dd>
          <dt>Last checkpoint</dt>
          <dd>{lastCheckpoint ? `seq ${lastCheckpoint.seq}, sealed ${lastCheckpoint.sealedAt.toISOString().replace("T", " ").slice(0, 19)} UTC by ${lastCheckpoint.sealedBy}` : "None yet"}</dd>
        </dl>
      </section>
      <IntegrityPanel
        canVerify={can(op.role, "accessLog.verify")}
        canSeal={can(op.role, "accessLog.seal")}
        lastCheckpoint={lastCheckpoint && { ...lastCheckpoint, sealedAt: lastCheckpoint.sealedAt.toISOString() }}
      />
    </>
  );
}
