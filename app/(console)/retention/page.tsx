import Link from "next/link";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { recordAccess } from "@/lib/audit/log";
import { RETENTION_CLASSES } from "@/lib/logs/retention";
import { loadPolicies } from "@/lib/retention/policies";
import { latestRetentionView, pendingEnforcements } from "@/lib/retention/queries";
import { ApproveEnforcementButton, ApprovePolicyButton, ProposePolicyForm, RunAuditButton } from "./retention-forms";

export const dynamic = "force-dynamic";

// Log retention: each source's findings (from the latest signed audit or re-audit), the stores,
// enforcements waiting for a second person, and the policies. File names and counts only.

export default async function RetentionPage() {
  const op = await requireOperator("retention.view");
  const [view, pending, policies] = await Promise.all([latestRetentionView(), pendingEnforcements(), loadPolicies()]);
  await recordAccess({ actor: actorOf(op), action: "retention.view", outcome: "ok", details: { sources: view.sources.length } });
  const overdue = view.sources.filter((s) => s.overdueNow);
  const scopes = ["default", ...view.sources.map((s) => s.source)];
  return (
    <>
      <h1>Log retention</h1>
      <p className="muted">
        Privacy notice in force: {policies.notice ? <>{policies.notice.version} (at most {RETENTION_CLASSES.map((c) => `${c} ${policies.notice!.limits[c]}`).join(", ")} days)</> : "none recorded"}; policies follow {policies.policyNoticeVersions.join(", ") || "—"}.{" "}
        <Link href="/retention/notices">Privacy-notice versions</Link>. {view.lastAuditAt ? <>Last audit {view.lastAuditAt.slice(0, 16).replace("T", " ")} UTC.</> : "No audit yet."}{" "}
        {can(op.role, "retention.attestations") && <Link href="/retention/attestations">Signed attestations</Link>}
      </p>
      {can(op.role, "retention.audit") && <RunAuditButton />}
      {overdue.length > 0 && (
        <section className="card banner-error" aria-labelledby="ret-overdue" data-testid="retention-overdue">
          <h2 id="ret-overdue">Copies kept past their retention period</h2>
          <ul>{overdue.map((s) => <li key={s.source}><Link href={`/retention/${encodeURIComponent(s.source)}`}>{s.source}</Link>: overdue by up to {s.maxOverdueDaysNow} day(s){s.dueSinceAudit.length > 0 && <> ({s.dueSinceAudit.length} file(s) fell due after the audit judged them: audit again)</>}</li>)}</ul>
        </section>
      )}
      {pending.length > 0 && (
        <section className="card" aria-labelledby="ret-pending">
          <h2 id="ret-pending">Enforcements waiting for a second person</h2>
          {pending.map((e) => {
            const plan = JSON.parse(e.plan) as { asOf: string; items: { file: string; action: string; linesRemoved: number; linesKept: number; overdueDays: number }[]; skipped: { file: string; reason: string }[] };
            return (
              <div key={e.id} data-testid={`pending-${e.sourceKey}`}>
                <p><strong>{e.sourceKey}</strong>: {plan.items.filter((i) => i.action === "delete").length} file(s) to delete, {plan.items.filter((i) => i.action === "rewrite").length} to rewrite (asked {e.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC, judged as of {plan.asOf.slice(0, 16).replace("T", " ")} UTC).</p>
                <div className="table-scroll"><table className="data" data-testid={`pending-plan-${e.sourceKey}`}>
                  <caption>What approving it does</caption>
                  <thead><tr><th scope="col">File</th><th scope="col">Action</th><th scope="col">Lines removed</th><th scope="col">Lines kept</th><th scope="col">Overdue by (days)</th></tr></thead>
                  <tbody>
                    {plan.items.map((i) => <tr key={i.file}><td className="mono wrap-any">{i.file}</td><td>{i.action === "delete" ? "delete the whole file" : "rewrite without the expired lines"}</td><td>{i.linesRemoved}</td><td>{i.linesKept}</td><td>{i.overdueDays}</td></tr>)}
                  </tbody>
                </table></div>
                {plan.skipped.length > 0 && <ul aria-label="Files left alone">{plan.skipped.map((k) => <li key={k.file}><span className="mono">{k.file}</span>: {k.reason}</li>)}</ul>}
                {can(op.role, "retention.approve") && (e.requestedById === op.id ? <p className="muted">You asked for it: another person approves.</p> : <ApproveEnforcementButton enforcementId={e.id} />)}
              </div>
            );
          })}
        </section>
      )}
      <div className="table-scroll"><table className="data">
        <caption>Log sources</caption>
        <thead><tr><th scope="col">Source</th><th scope="col">Files</th><th scope="col">Findings</th><th scope="col">Overdue by (days)</th><th scope="col">Audited</th><th scope="col">Judged as of</th></tr></thead>
        <tbody>
          {view.sources.map((s) => (
            <tr key={s.source}>
              <td><Link href={`/retention/${encodeURIComponent(s.source)}`}>{s.source}</Link></td>
              <td>{s.files.length}</td>
              <td>{s.findings.length}</td>
              <td>{s.maxOverdueDaysNow || "—"}</td>
              <td>{s.at.slice(0, 16).replace("T", " ")}</td>
              <td>{s.judgedAsOf.slice(0, 16).replace("T", " ")}</td>
            </tr>
          ))}
          {view.sources.length === 0 && <tr><td colSpan={6}>No audit yet.</td></tr>}
        </tbody>
      </table></div>
      <div className="table-scroll"><table className="data">
        <caption>Tables and stores (oldest record against a policy)</caption>
        <thead><tr><th scope="col">Store</th><th scope="col">Where</th><th scope="col">Records</th><th scope="col">Oldest</th><th scope="col">Policy (days)</th><th scope="col">Finding</th><th scope="col">Audited</th></tr></thead>
        <tbody>
          {view.stores.map((s) => (
            <tr key={`${s.where}:${s.store}`}>
              <td>{s.store}</td><td>{s.where}</td><td>{s.records}</td><td>{s.oldestAt?.slice(0, 10) ?? "—"}</td><td>{s.policyDays ?? "none"}</td>
              <td><span className={`badge ${s.overdueNow || s.finding === "unreadable" ? "badge-bad" : s.finding === "no-policy" ? "badge-warn" : "badge-ok"}`}>{s.overdueNow ? `overdue by ${s.overdueDaysNow} d` : s.finding}</span></td>
              <td>{s.at.slice(0, 16).replace("T", " ")}</td>
            </tr>
          ))}
        </tbody>
      </table></div>
      <div className="table-scroll"><table className="data">
        <caption>Retention policies</caption>
        <thead><tr><th scope="col">Scope</th><th scope="col">Class</th><th scope="col">Days</th><th scope="col">Notice</th><th scope="col">State</th><th scope="col">Reason</th></tr></thead>
        <tbody>
          {policies.rows.map((p) => (
            <tr key={p.id}>
              <td>{p.scope}</td><td>{p.retentionClass}</td><td>{p.periodDays}</td><td>{p.noticeVersion}</td>
              <td>{p.state}{p.state === "proposed" && can(op.role, "retention.policy") && p.proposedById !== op.id && <ApprovePolicyButton policyId={p.id} />}</td>
              <td>{p.reason}</td>
            </tr>
          ))}
        </tbody>
      </table></div>
      {can(op.role, "retention.policy") && <ProposePolicyForm scopes={scopes} classes={[...RETENTION_CLASSES]} />}
    </>
  );
}
