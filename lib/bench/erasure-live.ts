import fs from "node:fs";
import Database from "better-sqlite3";
import { decryptSecret } from "@/lib/keys";
import { chunk } from "@/lib/erasure/ops-core";
import { pickErasureSubjects } from "@/lib/bench/erasure";
import { loadStats, type LoadWindowStats } from "@/lib/bench/load-stats";
import type { ErrorReport } from "@/lib/test/sydent-live";

// Bulk erasure against real Sydent under load (issue 7, item 6): the kit (../shared/tools/
// sydent-live) starts two real, replicating Sydent 2.7.0 servers on COPIES of the cached demo
// databases; both are registered in the benchmark's console DB with their client and internal API
// URLs and a v2 account (verification through Sydent). The kit's load driver runs alone first
// ("before"), then in back-to-back runs for as long as an N-subject bulk erasure (3PID CSV: upload
// + dry run, approval by a second person, execution by the real engine, whatever phase 1 does at
// the time) takes ("during"). Reported: subjects/s of the execution, Sydent's error lines (the
// kit's sydent-errors since the erasure started), load failures, lookup p50/p99 before and during,
// the jobs' verification outcomes (SQL and Sydent's answers), and a final bulk_lookup of every
// erased 3PID on both servers through Sydent's HTTP API.

export type ErasureLiveResult = {
  /** Subjects erased (the verification-only pass covers verification.subjects). */
  subjects: number;
  jobsRun: number;
  dryRunS: number;
  executeS: number;
  subjectsPerS: number;
  jobs: Record<string, number>;
  rows: Record<string, number>;
  /** Seconds per pass of each execution page (bulk-run.ts). */
  pages: { jobs: number; writesS: number; replicationS: number; verifyS: number; finishS: number }[];
  /** Sydent restarts the operator did (the job asked for them: invite leak), with the load held. */
  restarts: number;
  /**
   * Sydent's replication during the execution, per direction (origin -> peer): rows the peer
   * accepted (its lastSentVersion on the origin moved by that much) against the ceiling of Sydent's
   * push, 100 rows per 10 s cycle; and the rows still owed when the execution ended.
   */
  /** Paused jobs: the rows still found and their replication state (synthetic data). */
  pausedDiagnosis: string[];
  replication: Record<string, { rowsPushed: number; ceilingRows: number; utilisation: number; owedAtEnd: number }>;
  /** Why jobs paused (numbers replaced by N), with counts. */
  pausedReasons: Record<string, number>;
  /** Rows whose job stopped on an error, by the row's message (numbers replaced by N). */
  stoppedReasons: Record<string, number>;
  verifySteps: { total: number; failed: number; sydentChecked: number; sydentOk: number; sydentStatuses: Record<string, number> };
  stillAnswered: Record<string, { asked: number; found: number; statuses: (number | null)[] }>;
  load: { before: LoadWindowStats; during: LoadWindowStats; rate: number };
  /** context: each error line during the execution and the 24 lines after it (synthetic data). */
  sydentErrors: { duringErasure: ErrorReport["totals"] & { console: ErrorReport["console_totals"]; total: number; first: unknown }; context: string[] };
  startupS: number;
  /** Load-driver runs whose set-up failed (no CSV): counted as failed load, listed here. */
  loadRunErrors: string[];
  /** Verification alone, before the erasure: batch pass (both servers) vs the per-subject path. */
  verification: {
    subjects: number; batchSeconds: number; subjectsPerS: number; sydentAnswered: number; checks: number;
    perSubjectSample: number; perSubjectSeconds: number; load: LoadWindowStats; sydentErrors: number;
    /** Passes run while the load ran (the first is the one timed). */
    passes: number;
  };
};

const PER_SUBJECT_SAMPLE = 3;

/** Each subject's identifiers as a job holds them: the 3PID and the Matrix IDs bound to it. */
function subjectIdsFor(dbs: { is1: string; is2: string }, queries: { kind: "email" | "msisdn"; address: string }[]) {
  const conns = [dbs.is1, dbs.is2].map((f) => new Database(f, { readonly: true, fileMustExist: true }));
  try {
    const stmts = conns.map((c) => c.prepare("SELECT mxid FROM local_threepid_associations WHERE medium = ? AND address = ? AND mxid IS NOT NULL"));
    return queries.map((q) => ({
      emails: q.kind === "email" ? [q.address] : [], msisdns: q.kind === "msisdn" ? [q.address] : [], sids: [] as string[],
      mxids: [...new Set(stmts.flatMap((st) => (st.all(q.kind, q.address) as { mxid: string }[]).map((r) => r.mxid)))],
    }));
  } finally {
    conns.forEach((c) => c.close());
  }
}

const RATE = 12;
const CHUNK_S = 30;

export async function measureErasureLive(o: { dbs: { is1: string; is2: string }; subjects: number; executeSubjects?: number; seed: string; baselineS?: number; onProgress: (m: string) => void }): Promise<ErasureLiveResult> {
  const { LiveSydent } = await import("@/lib/test/sydent-live");
  const { db } = await import("@/lib/db");
  const { setSydentAccount } = await import("@/lib/servers/sydent-account");
  const { approveBulkBatch, createBulkBatch, executeBulkBatch } = await import("@/lib/erasure/bulk");
  const { bulkLookup } = await import("@/lib/sydent/client-api");
  const { seedStaff } = await import("@/lib/requests/testing");
  const { closeSydent } = await import("@/lib/sydent/open");

  const queries = pickErasureSubjects([o.dbs.is1, o.dbs.is2], o.subjects, o.seed) as { kind: "email" | "msisdn"; address: string }[];
  o.onProgress(`erasure-live: ${queries.length} subjects picked; starting two real Sydent servers on copies of the demo databases`);
  const t0 = Date.now();
  const live = await LiveSydent.start({ dbs: o.dbs });
  const startupS = (Date.now() - t0) / 1000;
  try {
    const hs = live.state.homeserver_stub.server_name;
    const [admin, uploader, approver] = [await seedStaff("admin"), await seedStaff("dpo"), await seedStaff("dpo")];
    for (const name of ["is1", "is2"] as const) {
      const i = live.instance(name);
      await db().identityServer.create({ data: { label: name, serverName: i.server_name, dbPath: i.db, clientApiUrl: i.client_url, internalApiUrl: i.internal_url } });
      const r = await setSydentAccount(admin.actor, { label: name, openidToken: "custodian-bench", homeserver: hs });
      if (!r.ok) throw new Error(`v2 account on ${name}: ${r.message}`);
    }
    const csvOf = (r: unknown) => (r as { csv: string }).csv;

    o.onProgress(`erasure-live: baseline load ${RATE} req/s for ${o.baselineS ?? 60} s`);
    const before = loadStats([csvOf(await live.load(RATE, o.baselineS ?? 60, 1))]);
    if (before.failures > before.requests / 10) throw new Error(`Sydent cannot serve the load on this data before Custodian does anything: ${before.failures} of ${before.requests} requests failed (${JSON.stringify(before.failuresByKindStatus)}); p99 ${before.lookups.p99_ms} ms`);

    let seedNo = 2;
    /** One load run; a run whose set-up failed (Sydent not answering its account/hash requests) is counted, not fatal. */
    const loadRunErrors: string[] = [];
    const runLoad = async (): Promise<string | null> => {
      try {
        return csvOf(await live.load(RATE, CHUNK_S, seedNo++));
      } catch (e) {
        loadRunErrors.push((e as Error).message.slice(0, 300));
        await new Promise((res) => setTimeout(res, 1000));
        return null;
      }
    };
    /** Runs fn while the load driver runs back to back; the load's CSVs and Sydent's errors over that window. */
    const underLoad = async <T>(fn: () => Promise<T>) => {
      const since = new Date().toISOString();
      let stop = false;
      const csvs: string[] = [];
      const loop = (async () => {
        while (!stop) {
          const r = await runLoad();
          if (r) csvs.push(r);
        }
      })();
      try {
        return { value: await fn(), csvs, since };
      } finally {
        stop = true;
        await loop;
      }
    };

    // Verification alone (the read side, item 6): the batch pass over every subject on both servers
    // (pages of 500, as bulk execution does), and the per-subject path on a small sample for scale.
    const { verifyBatch, verifyStep } = await import("@/lib/erasure/verify-step");
    const registered = await db().identityServer.findMany();
    const ids = subjectIdsFor(o.dbs, queries);
    o.onProgress(`erasure-live: verification only, ${ids.length} subjects in one batch pass per page, under load`);
    // The pass is timed once; then it repeats until the load run in progress ends, so that every
    // request of the "during" window meets Custodian's reads (issue 7: reads must not lengthen
    // Sydent's own waits; compare the binds' latency with the baseline).
    const vb = await underLoad(async () => {
      const pass = async () => {
        let ok = 0;
        for (const server of registered) for (let i = 0; i < ids.length; i += 500) ok += (await verifyBatch(server, ids.slice(i, i + 500))).filter((v) => v.sydent && v.sydent.answers.every((a) => !a.errors)).length;
        return ok;
      };
      const t = Date.now();
      const ok = await pass();
      const seconds = (Date.now() - t) / 1000;
      let passes = 1;
      while (Date.now() - t < CHUNK_S * 1000) {
        await pass();
        passes++;
      }
      return { seconds, sydentAnswered: ok, passes };
    });
    const vbErrors = await live.errors(vb.since);
    const sample = ids.slice(0, Math.min(PER_SUBJECT_SAMPLE, ids.length));
    const tSample = Date.now();
    for (const server of registered) for (const x of sample) await verifyStep(server, x);
    const perSubjectS = (Date.now() - tSample) / 1000 / Math.max(1, sample.length);
    o.onProgress(`erasure-live: verification only done: batch ${vb.value.seconds.toFixed(1)} s for ${ids.length} subjects on ${registered.length} servers; per-subject ${perSubjectS.toFixed(2)} s; Sydent error lines ${vbErrors.errors_total + vbErrors.console_errors_total}`);
    const verification = {
      subjects: ids.length, batchSeconds: vb.value.seconds, subjectsPerS: ids.length / vb.value.seconds, sydentAnswered: vb.value.sydentAnswered, checks: ids.length * registered.length,
      perSubjectSample: sample.length, perSubjectSeconds: perSubjectS, load: loadStats(vb.csvs), sydentErrors: vbErrors.errors_total + vbErrors.console_errors_total,
      passes: vb.value.passes,
    };

    let since = new Date().toISOString();
    let done = false;
    // hold: the operator's restart of Sydent below happens with the load driver stopped (a restart
    // refuses requests by nature; that is not Custodian's doing).
    let hold = false;
    let inFlight: Promise<string | null> | null = null;
    const during: string[] = [];
    const loadLoop = (async () => {
      while (!done) {
        if (hold) {
          await new Promise((res) => setTimeout(res, 200));
          continue;
        }
        inFlight = runLoad();
        const r = await inFlight;
        inFlight = null;
        if (r) during.push(r);
      }
    })();

    const erased = queries.slice(0, o.executeSubjects ?? queries.length);
    const csv = ["medium,address", ...erased.map((q) => `${q.kind},${q.address}`)].join("\n");
    const servers = (await db().identityServer.findMany()).map((s) => ({ id: s.id, label: s.label, dbPath: s.dbPath }));
    const tDry = Date.now();
    const created = await createBulkBatch({ fileName: "bench.csv", content: csv, reason: "account_deactivated", createdBy: uploader.actor }, { servers, awaitDryRun: true });
    if (!created.ok) throw new Error(created.message);
    const dryRunS = (Date.now() - tDry) / 1000;
    const approved = await approveBulkBatch({ batchId: created.batchId, approver: approver.actor });
    if (!approved.ok) throw new Error(approved.message);
    o.onProgress(`erasure-live: dry run ${dryRunS.toFixed(1)} s; executing ${created.validRows} rows`);
    const tExec = Date.now();
    const tExecIso = new Date(tExec).toISOString();
    const pushBefore = pushState(servers);
    let last = 0;
    const pages: ErasureLiveResult["pages"] = [];
    const execOpts = {
      servers,
      onProgress: (p: import("@/lib/erasure/bulk-run").BulkProgress) => {
        if (p.page) {
          pages.push(p.page);
          o.onProgress(`erasure-live: page of ${p.page.jobs} jobs: writes ${p.page.writesS.toFixed(1)} s, replication ${p.page.replicationS.toFixed(1)} s, verify ${p.page.verifyS.toFixed(1)} s, finish ${p.page.finishS.toFixed(1)} s`);
        } else if (Date.now() - last > 15_000) (last = Date.now()), o.onProgress(`erasure-live: ${p.done}/${p.total} rows`);
      },
    };
    // As an operator would: a batch that paused because Sydent's invite leak reached a re-issued
    // association is resumed after restarting Sydent (the job says so); the restarts are counted
    // and their time is part of the execution time. Error lines are counted outside the restarts.
    const errorWindows: Awaited<ReturnType<typeof live.errors>>[] = [];
    let restarts = 0;
    let r = await executeBulkBatch({ batchId: created.batchId, executor: approver.actor }, execOpts);
    while (r.ok && r.state === "approved" && restarts < 3 && (await db().erasureJob.count({ where: { batchId: created.batchId, state: "paused", pausedReason: { contains: "Restart" } } })) > 0) {
      restarts++;
      o.onProgress(`erasure-live: batch paused for a Sydent restart (invite leak); restarting Sydent (#${restarts}) and resuming`);
      hold = true;
      await inFlight;
      errorWindows.push(await live.errors(since));
      await live.restart();
      await new Promise((res) => setTimeout(res, 12_000)); // one replication cycle: pushes racing the peer's start-up are Sydent's start
      since = new Date().toISOString();
      hold = false;
      r = await executeBulkBatch({ batchId: created.batchId, executor: approver.actor }, execOpts);
    }
    const executeS = (Date.now() - tExec) / 1000;
    const pushAfter = pushState(servers);
    const replication: ErasureLiveResult["replication"] = {};
    for (const [dir, b] of Object.entries(pushBefore)) {
      const a = pushAfter[dir];
      if (!a) continue;
      const rowsPushed = a.sent - b.sent;
      const ceilingRows = 100 * Math.ceil(executeS / 10);
      replication[dir] = { rowsPushed, ceilingRows, utilisation: rowsPushed / ceilingRows, owedAtEnd: a.maxLocal - a.sent };
    }
    if (!r.ok) throw new Error(r.message);
    done = true;
    await loadLoop;
    errorWindows.push(await live.errors(since));
    const errors = errorWindows.reduce((a, e) => ({
      ...a,
      totals: Object.fromEntries(Object.entries(a.totals).map(([k, v]) => [k, (v as number) + ((e.totals as Record<string, number>)[k] ?? 0)])) as typeof a.totals,
      console_totals: Object.fromEntries(Object.entries(a.console_totals).map(([k, v]) => [k, (v as number) + ((e.console_totals as Record<string, number>)[k] ?? 0)])) as typeof a.console_totals,
      errors_total: a.errors_total + e.errors_total,
      console_errors_total: a.console_errors_total + e.console_errors_total,
    }));

    // Sydent's error lines with what follows them (the exception itself comes after "Traceback"
    // and "Unhandled error in Deferred"): the kit's folder, and so its logs, go when it stops.
    // Each log file is read once for the error context and the paused jobs' diagnosis below.
    const logLines = new Map<string, string[]>();
    const linesOf = (file: string) => logLines.get(file) ?? logLines.set(file, fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n") : []).get(file)!;
    const errorContext: string[] = [];
    if (errors.errors_total + errors.console_errors_total > 0) {
      for (const name of ["is1", "is2"] as const) {
        for (const logFile of [live.instance(name).log, live.instance(name).console_log]) {
          const lines = linesOf(logFile);
          for (let i = 0; i < lines.length && errorContext.length < 80; i++) {
            // Sydent's lines start "YYYY-MM-DD HH:MM:SS,mmm" (UTC here); a traceback follows its error line.
            if (!/ - (ERROR|CRITICAL) - /.test(lines[i]) || lines[i].slice(0, 19) < tExecIso.slice(0, 19).replace("T", " ")) continue;
            errorContext.push(...lines.slice(i, i + 25).map((l) => `${name}: ${l.slice(0, 300)}`), `${name}: ----`);
            i += 24;
          }
        }
      }
    }

    // Outcome per job and per verify step (SQL and Sydent's answers), and a final look through Sydent.
    const jobs: Record<string, number> = {};
    for (const j of await db().erasureJob.groupBy({ by: ["state"], where: { batchId: created.batchId }, _count: true })) jobs[j.state] = j._count;
    const rows: Record<string, number> = {};
    for (const x of await db().erasureBatchRow.groupBy({ by: ["status"], where: { batchId: created.batchId }, _count: true })) rows[x.status] = x._count;
    const jobIds = (await db().erasureJob.findMany({ where: { batchId: created.batchId }, select: { id: true } })).map((j) => j.id);
    const pausedReasons: Record<string, number> = {};
    for (const j of await db().erasureJob.findMany({ where: { batchId: created.batchId, state: "paused" }, select: { pausedReason: true } })) {
      const k = (j.pausedReason ?? "").replace(/\d+/g, "N").slice(0, 160);
      pausedReasons[k] = (pausedReasons[k] ?? 0) + 1;
    }
    // Rows whose job stopped on an error (the batch stops there; Execute resumes): the messages.
    const stoppedReasons: Record<string, number> = {};
    for (const x of await db().erasureBatchRow.findMany({ where: { batchId: created.batchId, status: "valid", error: { not: null } }, select: { error: true } })) {
      const k = (x.error ?? "").replace(/\d+/g, "N").slice(0, 200);
      stoppedReasons[k] = (stoppedReasons[k] ?? 0) + 1;
    }
    // Synthetic data: for each paused job, which global rows still match (by address, or embedding
    // it in sgAssoc), their origin and whether the origin's local row is a tombstone the peer has.
    const pausedDiagnosis: string[] = [];
    for (const j of await db().erasureJob.findMany({ where: { batchId: created.batchId, state: "paused" }, select: { id: true, subjectEnc: true } })) {
      const ids = JSON.parse(decryptSecret(j.subjectEnc, "subject-identifier-v1")) as { emails?: string[]; msisdns?: string[]; mxids?: string[] };
      // The job's steps as the engine recorded them (results are row counts), and what each
      // Sydent logged about the subject's addresses (its unbind logs "Deleting local assoc" or
      // "No local association found"): where a missed unbind went wrong.
      for (const st of await db().erasureStep.findMany({ where: { jobId: j.id }, orderBy: { seq: "asc" }, select: { seq: true, kind: true, state: true, attempts: true, retries: true, result: true, serverId: true } })) {
        const label = servers.find((x) => x.id === st.serverId)?.label ?? "logs";
        pausedDiagnosis.push(`step ${st.seq} ${st.kind} on ${label}: ${st.state}, attempts ${st.attempts}, retries ${st.retries}, result ${(st.result ?? "").slice(0, 300)}`);
      }
      for (const name of ["is1", "is2"] as const) {
        const lines = linesOf(live.instance(name).log);
        for (const address of [...(ids.emails ?? []), ...(ids.msisdns ?? [])]) {
          for (const l of lines.filter((x) => x.includes(address)).slice(0, 10)) pausedDiagnosis.push(`${name} log: ${l.slice(0, 300)}`);
        }
      }
      for (const address of [...(ids.emails ?? []), ...(ids.msisdns ?? [])]) {
        for (const sv of servers) {
          const d = new Database(sv.dbPath, { readonly: true });
          try {
            const rows = d.prepare("SELECT id, medium, address, mxid, originServer, originId, instr(sgAssoc, ?) > 0 AS embeds FROM global_threepid_associations WHERE lower(address) = lower(?) OR instr(sgAssoc, ?) > 0").all(address, address, address) as Record<string, unknown>[];
            for (const r of rows) {
              const origin = servers.find((x) => r.originServer === `${x.label}.demo.custodian.test`);
              let originLocal = "?";
              if (origin) {
                const od = new Database(origin.dbPath, { readonly: true });
                try {
                  originLocal = JSON.stringify({ local: od.prepare("SELECT id, mxid IS NULL AS tomb FROM local_threepid_associations WHERE medium = ? AND address = ?").all(r.medium, r.address), peers: od.prepare("SELECT name, lastSentVersion FROM peers").all() });
                } finally {
                  od.close();
                }
              }
              pausedDiagnosis.push(`${sv.label}: row ${r.id} ${r.address === address ? "is the subject's" : `another's (${r.address}) embedding`} origin ${r.originServer}#${r.originId} mxid ${r.mxid}; origin ${originLocal}`);
            }
          } finally {
            d.close();
          }
        }
      }
    }
    const steps: { state: string; result: string | null }[] = [];
    for (const part of chunk(jobIds, 400)) steps.push(...(await db().erasureStep.findMany({ where: { kind: "verify", jobId: { in: part } }, select: { state: true, result: true } })));
    const verifySteps = { total: steps.length, failed: 0, sydentChecked: 0, sydentOk: 0, sydentStatuses: {} as Record<string, number> };
    for (const s of steps) {
      if (s.state === "failed") verifySteps.failed++;
      const v = s.result ? (JSON.parse(s.result) as { sydent?: { ok: boolean; answers: { statuses: (number | null)[] }[] } }) : {};
      if (!v.sydent) continue;
      verifySteps.sydentChecked++;
      if (v.sydent.ok) verifySteps.sydentOk++;
      for (const a of v.sydent.answers) for (const st of a.statuses) verifySteps.sydentStatuses[String(st)] = (verifySteps.sydentStatuses[String(st)] ?? 0) + 1;
    }
    await new Promise((res) => setTimeout(res, 15_000)); // replication pushes every 10 s
    const stillAnswered: ErasureLiveResult["stillAnswered"] = {};
    for (const name of ["is1", "is2"] as const) {
      const acc = { asked: 0, found: 0, statuses: [] as (number | null)[] };
      for (let i = 0; i < erased.length; i += 200) {
        const part = erased.slice(i, i + 200).map((q) => [q.kind, q.address] as [string, string]);
        const c = await bulkLookup(live.instance(name).client_url, part);
        acc.asked += part.length;
        acc.found += c.body?.threepids?.length ?? 0;
        acc.statuses.push(c.status);
      }
      stillAnswered[name] = acc;
    }
    return {
      // Rows whose job ran (a batch that pauses stops after its page): the rate is over those.
      subjects: erased.length, jobsRun: jobIds.length, dryRunS, executeS, subjectsPerS: jobIds.length / executeS, jobs, rows, verifySteps, stillAnswered, pages, pausedReasons, stoppedReasons, restarts, replication, pausedDiagnosis,
      load: { before, during: loadStats(during.filter((f) => fs.existsSync(f))), rate: RATE },
      sydentErrors: { duringErasure: { ...errors.totals, console: errors.console_totals, total: errors.errors_total + errors.console_errors_total, first: errors.instances }, context: errorContext },
      startupS,
      verification,
      loadRunErrors,
    };
  } finally {
    await closeSydent();
    await live.dispose();
  }
}

/** Per direction "<origin label> -> <peer name>": the peer's lastSentVersion and the origin's newest local row. */
function pushState(servers: { label: string; dbPath: string }[]): Record<string, { sent: number; maxLocal: number }> {
  const out: Record<string, { sent: number; maxLocal: number }> = {};
  for (const s of servers) {
    const d = new Database(s.dbPath, { readonly: true, fileMustExist: true });
    try {
      const maxLocal = (d.prepare("SELECT coalesce(max(id), 0) AS n FROM local_threepid_associations").get() as { n: number }).n;
      for (const p of d.prepare("SELECT name, coalesce(lastSentVersion, 0) AS v FROM peers WHERE active = 1").all() as { name: string; v: number }[]) {
        out[`${s.label} -> ${p.name}`] = { sent: p.v, maxLocal };
      }
    } finally {
      d.close();
    }
  }
  return out;
}
