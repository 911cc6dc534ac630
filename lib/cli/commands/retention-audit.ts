import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { parseNowOption } from "@/lib/retention/cli-support";
import { auditAndAttest } from "@/lib/retention/run";

// retention:audit: every log source (every file, current and rotated, plain and gzipped) and the
// stores with timestamps, against the stored policies; one signed attestation. Exit 0 when nothing
// is overdue, 3 when something is (for cron alerts), 2 bad usage. File names and counts only.

export default defineCommand({
  name: "retention:audit",
  summary: "Audit log retention (files, Sydent tables, console stores) against the policies; signed attestation; JSON. Exit 3 when anything is overdue.",
  options: {
    operator: { type: "string", description: "Staff e-mail (needs retention.audit)." },
    server: { type: "string", description: "Only this registered server's sources (default: all)." },
    now: { type: "string", description: "Judge as of this ISO time (not later than the clock), e.g. a fixture's reference time." },
    summary: { type: "boolean", description: "Print findings and file verdicts only (no per-day ages)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "retention.audit");
    const now = parseNowOption(values.now);
    const { report, attestationId } = await auditAndAttest(actor, { now, server: values.server as string | undefined });
    printJson({
      attestationId,
      at: report.at,
      noticeVersion: report.noticeVersion,
      notice: report.notice,
      overdue: report.overdue,
      findings: report.findings,
      sources: report.sources.map((s) => ({
        source: s.key,
        policyDays: s.policy.periodDays,
        overdue: s.overdue,
        maxOverdueDays: s.maxOverdueDays,
        findings: s.findings,
        classes: values.summary ? undefined : s.classes,
        files: s.files.map((f) => ({ file: f.path, verdict: f.verdict, rotated: f.rotated, gzip: f.gzip, lines: f.lines, oldestLineAt: f.oldestLineAt, newestLineAt: f.newestLineAt, mtime: f.mtime, mustBeGoneBy: f.mustBeGoneBy, overdueLines: f.overdueLines, overdueDays: f.overdueDays, findings: f.findings })),
      })),
      stores: report.stores,
    });
    return report.overdue ? 3 : 0;
  },
});
