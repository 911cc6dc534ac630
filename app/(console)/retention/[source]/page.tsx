import path from "node:path";
import Link from "next/link";
import { notFound } from "next/navigation";
import { FilterBar, type FilterDef } from "@/components/data-table/filter-bar";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { recordAccess } from "@/lib/audit/log";
import { db } from "@/lib/db";
import { RETENTION_CLASSES } from "@/lib/logs/retention";
import { activeFileFilters, fileClasses, findRetentionFiles, retentionFileSearchSchema, VERDICT_FILTER_LABELS, VERDICT_FILTERS, VERDICT_LABELS } from "@/lib/retention/files-table";
import { latestRetentionView } from "@/lib/retention/queries";
import { searchParamsObject } from "@/lib/validation";
import { AgeChart } from "../age-chart";
import { DryRunButton, RequestEnforcementButton } from "../retention-forms";
import { RetentionFilesTable, type RetentionFileRow } from "./files-table";

export const dynamic = "force-dynamic";

const CLASS_LABELS: Record<string, string> = { lookup: "lookup (7-day promise by default)", haproxy: "haproxy", application: "application", connection: "connection (IP addresses)" };

const FILTERS: FilterDef[] = [
  { id: "verdict", label: "Verdict", type: "select", options: VERDICT_FILTERS.map((v) => ({ value: v, label: VERDICT_FILTER_LABELS[v] })) },
  { id: "class", label: "Holds lines of class", type: "select", options: RETENTION_CLASSES.map((c) => ({ value: c, label: CLASS_LABELS[c] ?? c })) },
  { id: "gzip", label: "Compression", type: "select", options: [{ value: "yes", label: "gzipped" }, { value: "no", label: "plain" }] },
  { id: "rotated", label: "File", type: "select", options: [{ value: "rotated", label: "rotated" }, { value: "current", label: "current (open)" }] },
  { id: "q", label: "Name contains", type: "text", placeholder: "e.g. 2026-10 or .gz" },
];

const day = (iso: string | null) => iso?.slice(0, 10) ?? null;

/** The outcome of an enforcement just approved (the approval redirects here). */
async function enforcedBanner(id: unknown, key: string) {
  if (typeof id !== "string") return null;
  const e = await db().retentionEnforcement.findUnique({ where: { id: id.slice(0, 100) } });
  if (!e || e.sourceKey !== key || !e.result) return null;
  const result = JSON.parse(e.result) as { actions?: { status: string }[]; error?: string };
  if (result.error) return { ok: false, text: `Enforcement failed: ${result.error}. It is recorded as failed; ask for it again.` };
  const actions = result.actions ?? [];
  const n = (s: string) => actions.filter((a) => a.status === s).length;
  return { ok: e.state === "done", text: `Enforcement ${e.state}: ${n("deleted")} file(s) deleted, ${n("rewritten")} rewritten${n("skipped") ? `, ${n("skipped")} left as they were (changed since the dry run)` : ""}. Re-audited and attested.` };
}

export default async function RetentionSourcePage({ params, searchParams }: { params: Promise<{ source: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const op = await requireOperator("retention.view");
  const key = decodeURIComponent((await params).source).slice(0, 100);
  const sp = await searchParams;
  const banner = await enforcedBanner(sp.enforced, key);
  const search = retentionFileSearchSchema.parse(searchParamsObject(sp));
  const view = await latestRetentionView();
  const s = view.sources.find((x) => x.source === key);
  if (!s) notFound();
  const files = findRetentionFiles(s, search);
  const filters = activeFileFilters(search);
  // Every view is logged, with what was asked for and how many files matched (like the access log's page).
  await recordAccess({
    actor: actorOf(op), action: "retention.view", outcome: "ok",
    details: { source: key, attestationId: s.attestationId, filters, page: files.page, pageSize: files.pageSize, sort: `${search.sort} ${search.dir}`, count: files.count },
  });
  const rows: RetentionFileRow[] = files.data.map((f) => ({
    file: f.file, name: path.basename(f.file), verdict: f.verdict, verdictLabel: VERDICT_LABELS[f.verdict] ?? f.verdict, overdue: f.overdueLines > 0,
    rotated: f.rotated, gzip: f.gzip, classes: fileClasses(f)?.join(", ") ?? null, lines: f.lines, overdueLines: f.overdueLines,
    oldest: day(f.oldestLineAt), newest: day(f.newestLineAt), mtime: day(f.mtime), goneBy: day(f.mustBeGoneBy), overdueDays: f.overdueDays,
  }));
  const exportQuery = new URLSearchParams({ ...filters, sort: search.sort, dir: search.dir }).toString();
  return (
    <>
      <p><Link href="/retention">Log retention</Link></p>
      <h1>Retention of {key}</h1>
      {banner && <div className={banner.ok ? "banner-ok" : "banner-error"} role="status" data-testid="enforced">{banner.text}</div>}
      <p className="muted">As of {s.at.slice(0, 16).replace("T", " ")} UTC, judged as of {s.judgedAsOf.slice(0, 16).replace("T", " ")} UTC (signed attestation <span className="mono">{s.attestationId}</span>).</p>
      <section aria-labelledby="findings-h">
        <h2 id="findings-h">Findings</h2>
        {s.dueSinceAudit.length > 0 && (
          <div className="banner-error" data-testid="due-since-audit">
            <p>Fallen due after the audit judged them (as of {view.asOf.slice(0, 16).replace("T", " ")} UTC): audit again.</p>
            <ul>{s.dueSinceAudit.map((d) => <li key={d.file}><span className="mono">{path.basename(d.file)}</span>: due {d.dueAt.slice(0, 16).replace("T", " ")} UTC, overdue by {d.overdueDays} day(s)</li>)}</ul>
          </div>
        )}
        {s.findings.length === 0 && s.dueSinceAudit.length === 0 ? <p className="banner-ok" data-testid="no-findings">No findings: every copy is within policy.</p> : (
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
      <section aria-labelledby="files-h">
        <h2 id="files-h">Files</h2>
        <p className="muted">{files.total} file(s) in this attestation. Most urgent first unless sorted otherwise.{files.classesKnown ? "" : " Classes per file are not in this attestation (made before they were recorded): run an audit to filter by class."}</p>
        <FilterBar filters={FILTERS} label="Filter the files" />
        <p>
          <a className="btn" href={`/api/retention/files/${encodeURIComponent(key)}?${exportQuery}`} download>
            Export all {files.count.toLocaleString("en-GB")} matching file(s) as CSV
          </a>
        </p>
        <RetentionFilesTable rows={rows} count={files.count} page={files.page} pageSize={files.pageSize} sort={{ id: search.sort, desc: search.dir === "desc" }} />
      </section>
    </>
  );
}
