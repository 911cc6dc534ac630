import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { closeCustodianConnections } from "@/lib/bench/custodian";
import { attributeSlowWaits, stepKindStats, stepWindows, type Window } from "@/lib/bench/erasure-attrib";
import { verifyErased, type ErasedSample } from "@/lib/bench/erasure-verify";
import { copyForWriting } from "@/lib/bench/setup";
import { summarise } from "@/lib/bench/stats";
import { pickSubjects } from "@/lib/bench/subjects";
import type { ErasureBenchResult } from "@/lib/bench/types";
import { startWriter } from "@/lib/bench/writer-control";
import type { SubjectQuery } from "@/lib/subjects/types";

// Erasure under load (issue 4, section 9): on COPIES of both cached demo databases (registered as
// two servers in the benchmark's temporary console DB), N real bound subjects are each searched
// (expand, no log scan), planned, turned into an approved job (request; requester != approver, as
// lib/erasure/testing.ts does) and run by the real engine (runErasureJob), while the Sydent-like
// writer process writes to the is1 copy. Afterwards a sample is checked with plain SQL. The copies
// are deleted; the cache is never written. Custodian modules are imported lazily (after the
// benchmark has pointed process.env at its temporary console database).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const VERIFY_SAMPLE = 50;
const RESUME_BUDGET_MS = 20_000;

type Server = { label: string; serverName: string; dbPath: string };

/** Bound 3PIDs alternating email / phone, one per person (deduplicated by bound Matrix ID). */
export function pickErasureSubjects(files: string[], n: number, seed: string): SubjectQuery[] {
  const picked = pickSubjects(files, Math.ceil(n * 1.3) + 5, `${seed}:erasure`);
  const conns = files.map((f) => new Database(f, { readonly: true, fileMustExist: true }));
  try {
    const stmts = conns.map((c) => c.prepare("SELECT mxid FROM local_threepid_associations WHERE medium = ? AND address = ? AND mxid IS NOT NULL"));
    const seen = new Set<string>();
    const out: SubjectQuery[] = [];
    const candidates = picked.email.flatMap((e, i) => [{ kind: "email" as const, address: e }, ...(picked.msisdn[i] ? [{ kind: "msisdn" as const, address: picked.msisdn[i] }] : [])]);
    for (const q of candidates) {
      if (out.length >= n) break;
      const mxids = stmts.flatMap((s) => (s.all(q.kind, q.address) as { mxid: string }[]).map((r) => r.mxid));
      if (mxids.length === 0 || mxids.some((m) => seen.has(m))) continue;
      mxids.forEach((m) => seen.add(m));
      out.push(q);
    }
    return out;
  } finally {
    conns.forEach((c) => c.close());
  }
}

export async function measureErasure(o: {
  servers: Server[];
  workDir: string;
  subjects: number;
  seed: string;
  writerIntervalMs: number;
  onProgress: (m: string) => void;
}): Promise<ErasureBenchResult> {
  const { db } = await import("@/lib/db");
  const { searchIdentityServers } = await import("@/lib/subjects/search");
  const { planErasure } = await import("@/lib/erasure/plan");
  const { runErasureJob } = await import("@/lib/erasure/engine");
  const { sealJson } = await import("@/lib/erasure/workflow-support");
  const { pseudonymFor } = await import("@/lib/audit/pseudonym");
  const { maskEmail, maskPhone } = await import("@/lib/mask");
  const { seedRequest, seedStaff } = await import("@/lib/requests/testing");

  fs.mkdirSync(o.workDir, { recursive: true });
  const dir = fs.mkdtempSync(path.join(o.workDir, "erasure-"));
  await closeCustodianConnections();
  const registered: { id: string; label: string; serverName: string; dbPath: string }[] = [];
  let writer: Awaited<ReturnType<typeof startWriter>> | null = null;
  try {
    for (const s of o.servers) {
      o.onProgress(`erasure: copying ${path.basename(s.dbPath)} (the cached file stays pristine)`);
      const copy = copyForWriting(s.dbPath, dir);
      // No Sydent serves these copies (the writer is a simulation, BENCHMARKS.md): declared stopped,
      // the engine's direct-SQL path is what this measures. The real-Sydent figures come from
      // `--only erasure-live`, where writes go through Sydent's internal API.
      const row = await db().identityServer.create({
        data: { label: `bench-erasure-${s.label}`, serverName: s.serverName, dbPath: copy, sydentMode: "stopped", sydentModeAt: new Date(), sydentModeBy: "bench", sydentModeNote: "copy served by the simulated writer, no Sydent" },
      });
      registered.push({ id: row.id, label: row.label, serverName: row.serverName, dbPath: copy });
    }
    const queries = pickErasureSubjects(registered.map((s) => s.dbPath), o.subjects + 1, o.seed);
    const warmup = queries.length > o.subjects ? queries.pop()! : queries[0];
    const [requester, approver, executor] = [await seedStaff("dpo"), await seedStaff("dpo"), await seedStaff("dpo")];
    const planServers = registered.map(({ id, label, serverName }) => ({ id, label, serverName }));

    writer = await startWriter(registered[0].dbPath, registered[0].serverName, o.writerIntervalMs);
    await writer.phase("no reader (writer alone)");
    await sleep(2000);
    await writer.phase("erasure: warm-up search (builds the sgAssoc index)");
    const warmStart = performance.now();
    await searchIdentityServers(warmup, { expand: false, servers: registered });
    const warmupMs = performance.now() - warmStart;
    await writer.phase("erasure: search + plan + engine, per subject");
    o.onProgress(`erasure: ${queries.length} subjects (search with expansion, plan, approved job, runErasureJob)`);

    const times = { total: [] as number[], search: [] as number[], setup: [] as number[], engine: [] as number[] };
    const states: Record<string, number> = {};
    const paused: string[] = [];
    const sample: ErasedSample[] = [];
    const searchWindows: Window[] = [];
    const every = Math.max(1, Math.floor(queries.length / VERIFY_SAMPLE));
    let steps = 0;
    const start = performance.now();
    for (const [i, q] of queries.entries()) {
      const t0 = performance.now();
      const found = await searchIdentityServers(q, { expand: true, servers: registered });
      const t1 = performance.now();
      searchWindows.push({ what: "search", fromMs: Date.now() - (t1 - t0), toMs: Date.now() });
      const findings = { ...found, query: q, logs: null, searchedAt: new Date().toISOString() };
      const plan = planErasure(findings, { servers: planServers });
      if (plan.nothingHeld) {
        states.nothing_held = (states.nothing_held ?? 0) + 1;
        times.search.push(t1 - t0);
        times.total.push(performance.now() - t0);
        continue;
      }
      const ids = findings.identifiers;
      const first = ids.mxids[0] ? { t: "mxid" as const, v: ids.mxids[0] } : ids.emails[0] ? { t: "email" as const, v: ids.emails[0] } : { t: "msisdn" as const, v: ids.msisdns[0] };
      const request = await seedRequest({ createdById: requester.id, receivedAt: new Date(), type: "erasure", state: "in_progress" });
      const job = await db().erasureJob.create({
        data: {
          requestId: request.id, subjectPseudonym: pseudonymFor(first.t, first.v), subjectMasked: q.kind === "email" ? maskEmail(q.address) : q.kind === "msisdn" ? maskPhone(q.address) : "subject",
          subjectEnc: sealJson(ids), reason: "own_request", state: "approved",
          requestedById: requester.id, approvedById: approver.id, approvedAt: new Date(), planEnc: sealJson(plan),
        },
      });
      const t2 = performance.now();
      let r = await runErasureJob(job.id, executor.actor);
      // The simulated writer's journal file makes the engine's "Sydent is stopped" proof fail now
      // and then (it refuses to write while a journal exists): resume, as an operator would. On a
      // loaded machine the writer's transactions last longer and the journal is there more often,
      // so the resumes have a time budget (backing off), not a fixed count.
      const resumeUntil = performance.now() + RESUME_BUDGET_MS;
      for (let n = 0; r.state === "paused" && /declared stopped/.test(r.pausedReason ?? "") && performance.now() < resumeUntil; n++) {
        await new Promise((res) => setTimeout(res, Math.min(250, 20 * 2 ** Math.min(n, 4))));
        await db().erasureJob.update({ where: { id: job.id }, data: { state: "approved", pausedReason: null } });
        const again = await runErasureJob(job.id, executor.actor);
        r = { ...again, stepsRun: r.stepsRun + again.stepsRun };
      }
      const t3 = performance.now();
      steps += r.stepsRun;
      states[r.state] = (states[r.state] ?? 0) + 1;
      if (r.state === "paused" && paused.length < 10) paused.push(r.pausedReason ?? "paused");
      if (i % every === 0 && sample.length < VERIFY_SAMPLE) sample.push({ emails: ids.emails, msisdns: ids.msisdns, mxids: ids.mxids });
      times.search.push(t1 - t0);
      times.setup.push(t2 - t1);
      times.engine.push(t3 - t2);
      times.total.push(t3 - t0);
      if ((i + 1) % 25 === 0) {
        const el = (performance.now() - start) / 1000;
        o.onProgress(`erasure: ${i + 1}/${queries.length} subjects in ${el.toFixed(0)} s (about ${((el / (i + 1)) * (queries.length - i - 1)).toFixed(0)} s left)`);
      }
    }
    const totalMs = performance.now() - start;
    const writerStats = await writer.stop();
    writer = null;
    await closeCustodianConnections();
    o.onProgress(`erasure: checking ${sample.length} erased subjects with plain SQL on both copies`);
    const verification = verifyErased(registered, sample);
    const labels = new Map(registered.map((s) => [s.id, s.label.replace(/^bench-erasure-/, "")]));
    const stepRows = (await db().erasureStep.findMany({ select: { kind: true, serverId: true, startedAt: true, doneAt: true } }))
      .map((r) => ({ kind: r.kind, serverLabel: r.serverId ? (labels.get(r.serverId) ?? "?") : "logs", startedAt: r.startedAt, doneAt: r.doneAt }));
    const during = writerStats.find((w) => w.phase.startsWith("erasure: search"));
    return {
      requestedSubjects: o.subjects,
      subjects: queries.length,
      writerIntervalMs: o.writerIntervalMs,
      copiesOf: o.servers.map((s) => s.dbPath),
      warmupSearchMs: Math.round(warmupMs),
      totalMs: Math.round(totalMs),
      subjectsPerSecond: Math.round((queries.length / (totalMs / 1000)) * 1000) / 1000,
      perSubject: { total: summarise(times.total), search: summarise(times.search), jobSetup: summarise(times.setup), engine: summarise(times.engine) },
      engineStepsRun: steps,
      stepKinds: stepKindStats(stepRows),
      slowWaits: attributeSlowWaits(writerStats, [...stepWindows(stepRows), ...searchWindows]),
      jobStates: states,
      pausedReasons: paused,
      writer: writerStats,
      duringErasure: during ?? null,
      totalBusyErrors: writerStats.reduce((n, w) => n + w.busyErrors, 0),
      longestWaitMs: Math.max(0, ...writerStats.map((w) => w.maxWaitMs)),
      verification,
    };
  } finally {
    if (writer) await writer.stop();
    await closeCustodianConnections();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
