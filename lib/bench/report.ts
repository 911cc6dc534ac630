import { renderErasure } from "@/lib/bench/erasure-report";
import type { Summary } from "@/lib/bench/stats";
import type { BenchResult, Measurement } from "@/lib/bench/types";

// Renders a BenchResult as readable plain-text tables (stdout of `npm run bench`).

const ms = (s: Summary | null) => (s ? `${s.medianMs.toFixed(2)} / ${s.p95Ms.toFixed(2)}` : "not measured");

function verdict(m: Measurement): string {
  if (m.ratio === null) return "";
  if (m.target === null) return "";
  return m.ratio <= m.target ? `ok (<= ${m.target})` : `OVER (> ${m.target})`;
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function measurementRows(ms_: Measurement[]): string[][] {
  return ms_.map((m) => [m.label, ms(m.custodian), ms(m.hand), m.ratio === null ? "-" : `${m.ratio.toFixed(2)}x`, verdict(m)]);
}

export function renderReport(r: BenchResult): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`Custodian benchmark, ${r.startedAt}`);
  out.push(`machine: ${m.nproc} CPU (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, SQLite ${m.sqlite}, load average ${m.loadAverage.start} -> ${m.loadAverage.end}`);
  out.push(`data: ${r.options.bindings.toLocaleString("en")} bindings, seed ${r.options.seed}, ${r.data.dir}${r.data.generatedNow ? ` (generated now in ${((r.data.generateMs ?? 0) / 1000).toFixed(0)} s)` : " (cached)"}`);
  for (const s of r.data.servers) {
    out.push(`  ${s.label}: ${(s.sizeBytes / 2 ** 20).toFixed(0)} MiB, local ${s.rows.local_threepid_associations}, global ${s.rows.global_threepid_associations}, invites ${s.rows.invite_tokens}, sessions ${s.rows.threepid_validation_sessions}`);
  }
  out.push(`iterations: ${r.options.iterations} per measurement (varied subjects), times in ms as median / p95`);
  out.push(`search: ${r.implementation.search}; package: ${r.implementation.package}`);
  for (const n of r.implementation.notes) out.push(`  note: ${n}`);
  if (r.measurements.length) {
    out.push("");
    out.push(table(["measurement", "custodian", "hand SQL", "ratio", "target"], measurementRows(r.measurements)));
  }
  const notes = r.measurements.filter((x) => x.note);
  if (notes.length) out.push("", ...notes.map((x) => `* ${x.label}: ${x.note}`));
  if (r.concurrency) {
    const c = r.concurrency;
    out.push("", `Concurrency: a separate process writes like Sydent every ~${c.writerIntervalMs} ms (rollback journal, busy timeout 5000 ms) to a copy of ${c.writableCopyOf}`);
    out.push(table(["measurement (under write load)", "custodian", "hand SQL", "ratio", "target"], measurementRows(c.searches)));
    out.push("");
    out.push(table(
      ["writer during phase", "transactions", "median wait", "p99 wait", "longest wait", "database is locked"],
      c.writer.map((w) => [w.phase, String(w.transactions), `${w.medianWaitMs.toFixed(1)} ms`, `${w.p99WaitMs.toFixed(1)} ms`, `${w.maxWaitMs.toFixed(1)} ms`, String(w.busyErrors + (w.otherErrors.length ? ` (+${w.otherErrors.length} other)` : ""))]),
    ));
    out.push(`writer overall: longest wait ${c.longestWaitMs.toFixed(1)} ms, "database is locked" errors: ${c.totalBusyErrors}`);
  }
  if (r.erasure) out.push("", renderErasure(r.erasure));
  if (r.measurements.length) out.push("", r.answerMismatches.length ? `ANSWER MISMATCHES (custodian vs hand SQL):\n  ${r.answerMismatches.join("\n  ")}` : "answers: Custodian and hand SQL agreed on every subject (record counts)");
  return out.join("\n");
}
