import path from "node:path";
import Link from "next/link";
import { notFound } from "next/navigation";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { recordAccess } from "@/lib/audit/log";
import { db } from "@/lib/db";
import { RETENTION_CLASSES } from "@/lib/logs/retention";
import { latestRetentionView } from "@/lib/retention/queries";
import { AgeChart } from "../age-chart";
import { DryRunButton, RequestEnforcementButton } from "../retention-forms";

export const dynamic = "force-dynamic";

const VERDICT: Record<string, string> = {
  within: "within policy", expired: "expired: delete", straddling: "some lines expired: rewrite", "current-too-old": "current file too old (rotation)",
  undatable: "cannot be dated", unreadable: "cannot be read", "changed-while-read": "changed while read", "future-lines": "future timestamps", missing: "missing",
};

/** The outcome of an enforcement just approved (the approval redirects here). */
async function enforcedBanner(id: unknown, key: string) {
  if (typeof id !== "string") return null;
  const e = await db().retentionEnforcement.findUnique({ where: { id: id.slice(0, 100) } });
  if (!e || e.sourceKey !== key || !e.result) return null;
  const actions = (JSON.parse(e.result) as { actions: { status: string }[] }).actions;
  const n = (s: string) => actions.filter((a) => a.status === s).length;
  return { ok: e.state === "done", text: `Enforcement ${e.state}: ${n("deleted")} file(s) deleted, ${n("rewritten")} rewritten${n("skipped") ? `, ${n("skipped")} left as they were (changed since the dry run)` : ""}. Re-audited and attested.` };
}

export default async function RetentionSourcePage({ params, searchParams }: { params: Promise<{ source: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const op = await requireOperator("retention.view");
  const key = decodeURIComponent((await params).source).slice(0, 100);
  const banner = await enforcedBanner((await searchParams).enforced, key);
  const view = await latestRetentionView();
  const s = view.sources.find((x) => x.source === key);
  if (!s) notFound();
  await recordAccess({ actor: actorOf(op), action: "retention.view", outcome: "ok", details: { source: key } });
  return (
    <>
      <p><Link href="/retention">Log retention</Link></p>
      <h1>Retention of {key}</h1>
      {banner && <div className={banner.ok ? "banner-ok" : "banner-error"} role="status" data-testid="enforced">{banner.text}</div>}
      <p className="muted">As of {s.at.slice(0, 16).replace("T", " ")} UTC (signed attestation <span className="mono">{s.attestationId}</span>).</p>
      <section aria-labelledby="findings-h">
        <h2 id="findings-h">Findings</h2>
        {s.findings.length === 0 ? <p className="banner-ok" data-testid="no-findings">No findings: every copy is within policy.</p> : (
          <ul data-testid="findings">{s.findings.map((f, i) => <li key={i}><span className={`badge ${f.kind === "overdue" || f.kind === "expired-file" || f.kind === "current-too-old" ? "badge-bad" : "badge-warn"}`}>{f.kind}</span> {f.detail}</li>)}</ul>
        )}
      </section>
      <section aria-labelledby="chart-h">
        <h2 id="chart-h">Line ages per class</h2>
        {RETENTION_CLASSES.filter((c) => s.classes[c]).map((c) => <AgeChart key={c} name={c} c={s.classes[c]!} />)}
      </section>
      {can(op.role, "retention.enforce") && (
        <section className="card" aria-labelledby="enforce-h">
          <h2 id="enforce-h">Enforce</h2>
          <p className="muted">Rotated files past their date are deleted; rotated files with some expired lines are rewritten without them. The current file is never touched. The first enforcement of a source waits for a second person.</p>
          <DryRunButton source={key} />
          <RequestEnforcementButton source={key} />
        </section>
      )}
      <div className="table-scroll"><table className="data">
        <caption>Files</caption>
        <thead><tr><th scope="col">File</th><th scope="col">Verdict</th><th scope="col">Lines</th><th scope="col">Oldest line</th><th scope="col">Newest line</th><th scope="col">mtime</th><th scope="col">Gone by</th><th scope="col">Overdue (days)</th></tr></thead>
        <tbody>
          {s.files.map((f) => (
            <tr key={f.file}>
              <td className="mono">{path.basename(f.file)}</td>
              <td>{VERDICT[f.verdict] ?? f.verdict}</td>
              <td>{f.lines}</td>
              <td>{f.oldestLineAt?.slice(0, 10) ?? "—"}</td>
              <td>{f.newestLineAt?.slice(0, 10) ?? "—"}</td>
              <td>{f.mtime?.slice(0, 10) ?? "—"}</td>
              <td>{f.mustBeGoneBy?.slice(0, 10) ?? "—"}</td>
              <td>{f.overdueDays || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table></div>
    </>
  );
}
