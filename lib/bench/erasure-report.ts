import type { Summary } from "@/lib/bench/stats";
import { table } from "@/lib/bench/report";
import type { ErasureBenchResult } from "@/lib/bench/types";

// Plain-text tables for the erasure measurement (part of `npm run bench`'s stdout).

const ms = (s: Summary) => `${s.medianMs.toFixed(1)} / ${s.p95Ms.toFixed(1)}`;

export function renderErasure(e: ErasureBenchResult): string {
  const out: string[] = [];
  out.push(`Erasure: ${e.subjects} subjects${e.subjects < e.requestedSubjects ? ` (of ${e.requestedSubjects} requested: distinct people found)` : ""} on copies of both databases, while a separate process writes like Sydent every ~${e.writerIntervalMs} ms to the is1 copy`);
  out.push(`  per subject: search (expand, no log scan), plan + request + approved job, runErasureJob (phase 1 + first phase-2 pass)`);
  out.push(`  total ${(e.totalMs / 1000).toFixed(1)} s, ${e.subjectsPerSecond.toFixed(3)} subjects/s; warm-up search (sgAssoc index build) ${(e.warmupSearchMs / 1000).toFixed(1)} s, not included`);
  out.push(table(
    ["per subject (ms)", "median / p95", "min", "max"],
    ([["total", e.perSubject.total], ["search", e.perSubject.search], ["plan + job setup", e.perSubject.jobSetup], ["engine (runErasureJob)", e.perSubject.engine]] as const)
      .map(([k, s]) => [k, ms(s), s.minMs.toFixed(1), s.maxMs.toFixed(1)]),
  ));
  out.push(`  engine steps run: ${e.engineStepsRun}; job states: ${Object.entries(e.jobStates).map(([k, n]) => `${k} ${n}`).join(", ")}`);
  for (const p of e.pausedReasons) out.push(`  paused: ${p}`);
  out.push("");
  out.push(table(
    ["engine step (server)", "n", "median / p95 ms", "max ms", "total s"],
    Object.entries(e.stepKinds).map(([k, s]) => [k, String(s.n), ms(s), s.maxMs.toFixed(1), (s.totalMs / 1000).toFixed(1)]),
  ));
  out.push("");
  out.push(table(
    ["writer during phase", "transactions", "median wait", "p99 wait", "longest wait", "database is locked"],
    e.writer.map((w) => [w.phase, String(w.transactions), `${w.medianWaitMs.toFixed(1)} ms`, `${w.p99WaitMs.toFixed(1)} ms`, `${w.maxWaitMs.toFixed(1)} ms`, String(w.busyErrors) + (w.otherErrors.length ? ` (+${w.otherErrors.length} other)` : "")]),
  ));
  for (const w of e.slowWaits) out.push(`  writer waited ${w.waitMs} ms${w.busy ? ' ("database is locked")' : ""} during: ${w.during.join(", ")}`);
  out.push(`writer overall: longest wait ${e.longestWaitMs.toFixed(1)} ms, "database is locked" errors: ${e.totalBusyErrors}`);
  const v = e.verification;
  out.push(`verification (plain SQL, ${v.sampled} erased subjects): ${v.ok ? "ok" : "LEFTOVERS"}; ` +
    v.servers.map((s) => `${s.label}: global by 3PID ${s.globalBy3pid}, global by Matrix ID ${s.globalByMxid}, bound local ${s.boundLocal}, tombstones ${s.tombstones}`).join("; "));
  return out.join("\n");
}
