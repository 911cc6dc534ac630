import fs from "node:fs";
import path from "node:path";
import type { ErasureLiveResult } from "@/lib/bench/erasure-live";
import { BENCH_ROOT, ensureDemoPair, useTempConsoleDb } from "@/lib/bench/setup";

// npm run bench -- --only erasure-live [--bindings 1000000] [--erasure-subjects 1000] [--erasure-live-execute N] [--seed s]
// --erasure-subjects: subjects verified in the verification-only pass and, unless
// --erasure-live-execute says fewer, erased by the bulk batch.
// Needs the live-Sydent kit beside the clone (../shared/tools/sydent-live, or SYDENT_LIVE_KIT);
// ports from SYDENT_LIVE_PORT_BASE / SYDENT_LIVE_HS_PORT. Prints a table, writes
// .tmp/bench/results-erasure-live-<time>.json. No identifier is printed.

const f1 = (n: number) => n.toFixed(1);

export function renderErasureLive(r: ErasureLiveResult): string {
  const b = r.load.before;
  const d = r.load.during;
  const row = (k: string, x: { requests: number; failures: number; p50_ms: number; p99_ms: number }, y: typeof x) =>
    `| ${k} | ${x.requests} / ${x.failures} | ${f1(x.p50_ms)} / ${f1(x.p99_ms)} | ${y.requests} / ${y.failures} | ${f1(y.p50_ms)} / ${f1(y.p99_ms)} |`;
  return [
    `Verification only (before erasing), ${r.verification.subjects} subjects x ${r.verification.checks / Math.max(1, r.verification.subjects)} servers under load: batch ${f1(r.verification.batchSeconds)} s -> ${r.verification.subjectsPerS.toFixed(1)} subjects/s (Sydent answered cleanly for ${r.verification.sydentAnswered}/${r.verification.checks}); ${r.verification.passes} passes while the load ran; per-subject path ${f1(r.verification.perSubjectSeconds)} s/subject (sample ${r.verification.perSubjectSample}); Sydent error lines ${r.verification.sydentErrors}; load failures ${r.verification.load.failures}; lookup p50/p99 ${f1(r.verification.load.lookups.p50_ms)} / ${f1(r.verification.load.lookups.p99_ms)} ms`,
    // Issue 7: Custodian's reads must not lengthen Sydent's own waits. Sydent's writes in the load
    // are its binds; their latency before vs while only Custodian's verification reads ran.
    `Sydent's own writes (load "bind") before -> during the verification reads: p50 ${f1(b.byKind.bind?.p50_ms ?? 0)} -> ${f1(r.verification.load.byKind.bind?.p50_ms ?? 0)} ms, p99 ${f1(b.byKind.bind?.p99_ms ?? 0)} -> ${f1(r.verification.load.byKind.bind?.p99_ms ?? 0)} ms (${r.verification.load.byKind.bind?.requests ?? 0} binds during, ${r.verification.load.byKind.bind?.failures ?? 0} failed)`,
    "",
    `Bulk erasure against real Sydent under load: ${r.subjects} subjects`,
    `- execution ${f1(r.executeS)} s for ${r.jobsRun} jobs -> ${r.subjectsPerS.toFixed(2)} subjects/s (dry run ${f1(r.dryRunS)} s, Sydent start ${f1(r.startupS)} s)`,
    `- jobs ${JSON.stringify(r.jobs)}; rows ${JSON.stringify(r.rows)}; Sydent restarts asked for by paused jobs (invite leak), done with the load held: ${r.restarts}`,
    ...r.pages.map((p, i) => `- page ${i + 1}: ${p.jobs} jobs; writes through Sydent ${f1(p.writesS)} s, waits for replication ${f1(p.replicationS)} s, verification ${f1(p.verifyS)} s, finishing ${f1(p.finishS)} s`),
    ...Object.entries(r.replication).map(([dir, x]) => `- replication ${dir}: ${x.rowsPushed} rows accepted of Sydent's ceiling ${x.ceilingRows} (100 rows per 10 s cycle) = ${(100 * x.utilisation).toFixed(0)} %; ${x.owedAtEnd} still owed at the end`),
    ...Object.entries(r.pausedReasons).map(([k, n]) => `- paused x${n}: ${k}`),
    ...Object.entries(r.stoppedReasons ?? {}).map(([k, n]) => `- row stopped x${n}: ${k}`),
    ...r.pausedDiagnosis.map((x) => `  - still found: ${x}`),
    `- verify steps ${r.verifySteps.total} (failed ${r.verifySteps.failed}); through Sydent ${r.verifySteps.sydentChecked} (ok ${r.verifySteps.sydentOk}), statuses ${JSON.stringify(r.verifySteps.sydentStatuses)}`,
    `- Sydent error lines since the erasure started: ${r.sydentErrors.duringErasure.total} ${JSON.stringify({ error: r.sydentErrors.duringErasure.error, traceback: r.sydentErrors.duringErasure.traceback, locked: r.sydentErrors.duringErasure.database_is_locked, already_exists: r.sydentErrors.duringErasure.already_exists })}`,
    ...(r.sydentErrors.context ?? []).map((l) => `    ${l}`),
    `- still answered by Sydent's bulk_lookup afterwards: ${Object.entries(r.stillAnswered).map(([k, v]) => `${k} ${v.found}/${v.asked} (HTTP ${[...new Set(v.statuses)].join(",")})`).join(", ")}`,
    `- load failures during: ${d.failures} ${JSON.stringify(d.failuresByKindStatus)}; load runs that could not start: ${r.loadRunErrors.length}`,
    "",
    `| load (${r.load.rate} req/s) | before: requests / failures | p50 / p99 ms | during: requests / failures | p50 / p99 ms |`,
    "|---|---|---|---|---|",
    row("all lookups (v1, v2, bulk)", b.lookups, d.lookups),
    ...Object.keys({ ...b.byKind, ...d.byKind }).map((k) => row(k, b.byKind[k] ?? { requests: 0, failures: 0, p50_ms: 0, p99_ms: 0 }, d.byKind[k] ?? { requests: 0, failures: 0, p50_ms: 0, p99_ms: 0 })),
  ].join("\n");
}

export async function runErasureLiveBench(o: { bindings: number; seed: string; subjects: number; executeSubjects?: number }): Promise<number> {
  const progress = (m: string) => process.stderr.write(`bench: ${m}\n`);
  const { kitMissingReason } = await import("@/lib/test/sydent-live");
  const missing = kitMissingReason();
  if (missing) throw new Error(`erasure-live needs the live-Sydent kit: ${missing}`);
  const pair = await ensureDemoPair({ bindings: o.bindings, seed: o.seed, onProgress: progress });
  const byLabel = Object.fromEntries(pair.servers.map((s) => [s.label, s.dbPath]));
  if (!byLabel.is1 || !byLabel.is2) throw new Error("the demo pair has no is1/is2 databases");
  const consoleDb = await useTempConsoleDb();
  try {
    const { measureErasureLive } = await import("@/lib/bench/erasure-live");
    const startedAt = new Date().toISOString();
    const r = await measureErasureLive({ dbs: { is1: byLabel.is1, is2: byLabel.is2 }, subjects: o.subjects, executeSubjects: o.executeSubjects, seed: o.seed, onProgress: progress });
    const out = path.join(BENCH_ROOT, `results-erasure-live-${startedAt.replace(/[:.]/g, "").replace(/\d{3}Z$/, "Z")}.json`);
    fs.mkdirSync(BENCH_ROOT, { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ startedAt, options: o, result: r }, null, 2) + "\n");
    console.log(renderErasureLive(r));
    console.log(`\nresults: ${path.relative(process.cwd(), out)}`);
    return 0;
  } finally {
    await consoleDb.cleanup();
  }
}
