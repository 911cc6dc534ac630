import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { closeCustodianConnections } from "@/lib/bench/custodian";
import { closeHand, openHand } from "@/lib/bench/hand";
import { measureConcurrency } from "@/lib/bench/concurrency";
import { measureErasure } from "@/lib/bench/erasure";
import { measureMxid, measurePackage, measureSgAssoc, measureThreepid, type Ctx, type ThreepidSubject } from "@/lib/bench/measure";
import { BENCH_REFERENCE_TIME, BENCH_ROOT, ensureDemoPair, useTempConsoleDb } from "@/lib/bench/setup";
import { pickSubjects } from "@/lib/bench/subjects";
import type { BenchOptions, BenchResult, Measurement } from "@/lib/bench/types";
import type { SearchServer } from "@/lib/subjects/search";

// Runs the whole benchmark and returns the result object (index.ts prints and saves it).

const TABLES = ["local_threepid_associations", "global_threepid_associations", "invite_tokens", "threepid_validation_sessions", "threepid_token_auths", "accounts", "tokens"];

function describe(file: string): { sizeBytes: number; rows: Record<string, number>; sqlite: string } {
  const d = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = Object.fromEntries(TABLES.map((t) => [t, (d.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]));
    return { sizeBytes: fs.statSync(file).size, rows, sqlite: (d.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v };
  } finally {
    d.close();
  }
}

export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const progress = o.onProgress ?? (() => {});
  const startedAt = new Date().toISOString();
  const loadStart = os.loadavg()[0];
  const consoleDb = await useTempConsoleDb();
  const root = o.cacheRoot ?? BENCH_ROOT;
  try {
    const pair = await ensureDemoPair({ bindings: o.bindings, seed: o.seed, root, onProgress: progress });
    const servers: SearchServer[] = pair.servers.map((s) => ({ id: `bench-${s.label}`, label: s.label, serverName: s.serverName, dbPath: s.dbPath }));
    const described = pair.servers.map((s) => ({ ...s, ...describe(s.dbPath) }));
    const n = o.iterations;
    const picked = pickSubjects(pair.servers.map((s) => s.dbPath), n, o.seed);
    const threepids: ThreepidSubject[] = picked.email.flatMap((e, i) => [{ medium: "email" as const, address: e }, ...(picked.msisdn[i] ? [{ medium: "msisdn" as const, address: picked.msisdn[i] }] : [])]).slice(0, n);
    const hand = openHand(pair.servers.map((s) => ({ label: s.label, file: s.dbPath })));
    const ctx: Ctx = { servers, hand, mismatches: [], iterations: n };
    const measurements: Measurement[] = [];
    let concurrency: BenchResult["concurrency"] = null;
    let erasure: BenchResult["erasure"] = null;
    try {
      if (o.only === "search" || o.only === "all") {
        progress(`3PID searches (${threepids.length} subjects)`);
        measurements.push(...(await measureThreepid(ctx, threepids)));
        progress(`Matrix ID searches (${picked.mxid.length} subjects)`);
        measurements.push(...(await measureMxid(ctx, picked.mxid.slice(0, n))));
        const embedded = await embeddedSubjects(ctx, threepids.slice(0, Math.min(n, 10)));
        progress(`sgAssoc embedded-data scans (${embedded.length} subjects)`);
        measurements.push(...(await measureSgAssoc(ctx, embedded)));
        concurrency = await measureConcurrency({
          servers, workDir: path.join(root, "work"), threepids, mxids: picked.mxid.slice(0, n), embedded: embedded.slice(0, 3), writerIntervalMs: o.writerIntervalMs, onProgress: progress,
        });
      }
      if (o.only === "package" || o.only === "all") {
        progress(`package generation (${threepids.length} subjects)`);
        measurements.push(...(await measurePackage(ctx, threepids, new Date(BENCH_REFERENCE_TIME))));
      }
      if (o.only === "erasure" || o.only === "all") {
        erasure = await measureErasure({
          servers: pair.servers, workDir: path.join(root, "work"), subjects: o.erasureSubjects ?? 1000, seed: o.seed, writerIntervalMs: o.writerIntervalMs, onProgress: progress,
        });
      }
    } finally {
      closeHand(hand);
      await closeCustodianConnections();
    }
    return {
      schema: "custodian-bench/1",
      startedAt,
      finishedAt: new Date().toISOString(),
      options: { bindings: o.bindings, iterations: n, only: o.only, seed: o.seed, writerIntervalMs: o.writerIntervalMs, erasureSubjects: o.erasureSubjects ?? 1000 },
      machine: {
        nproc: os.availableParallelism(), cpuModel: os.cpus()[0]?.model ?? "unknown", memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
        node: process.version, platform: `${os.platform()} ${os.release()}`, sqlite: described[0].sqlite,
        loadAverage: { start: Math.round(loadStart * 100) / 100, end: Math.round(os.loadavg()[0] * 100) / 100 },
      },
      data: {
        dir: path.relative(process.cwd(), pair.dir), generatedNow: pair.generatedNow, generateMs: pair.generateMs,
        servers: described.map((s) => ({ label: s.label, serverName: s.serverName, sizeBytes: s.sizeBytes, rows: s.rows })),
      },
      implementation: { search: "custodian", package: "custodian", notes: ["log-file scanning is excluded everywhere (the issue's target is the database work)"] },
      measurements,
      concurrency,
      erasure,
      answerMismatches: ctx.mismatches,
    };
  } finally {
    await consoleDb.cleanup();
  }
}

/** The bound Matrix ID of each 3PID subject (from the hand SQL), for the sgAssoc check. */
async function embeddedSubjects(ctx: Ctx, subjects: ThreepidSubject[]): Promise<{ address: string; medium: ThreepidSubject["medium"]; mxid: string }[]> {
  const out: { address: string; medium: ThreepidSubject["medium"]; mxid: string }[] = [];
  for (const s of subjects) {
    for (const { conn } of ctx.hand) {
      const r = conn.prepare("SELECT mxid FROM global_threepid_associations WHERE medium = ? AND address = ? LIMIT 1").get(s.medium, s.address) as { mxid: string } | undefined;
      if (r) {
        out.push({ ...s, mxid: r.mxid });
        break;
      }
    }
  }
  return out;
}
