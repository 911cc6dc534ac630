import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { renderReport } from "@/lib/bench/report";
import { runBench } from "@/lib/bench/run";
import { BENCH_ROOT } from "@/lib/bench/setup";
import type { BenchOnly } from "@/lib/bench/types";
import { runWitnessBench } from "@/lib/bench/witness";

// npm run bench -- [--bindings 1000000] [--iterations 30] [--only search|package|erasure|witness|erasure-live|all] [--seed s]
//                  [--writer-interval-ms 5] [--erasure-subjects 1000]
// Builds (or reuses, from .tmp/bench/<bindings>-<seed>/) a demo identity-database pair, times
// Custodian against hand-written SQL, prints a table and writes .tmp/bench/results-<time>.json.
// See BENCHMARKS.md. Identifiers are never printed.

const HELP = `npm run bench -- [--bindings 1000000] [--iterations 30] [--only search|package|erasure|witness|erasure-live|all] [--seed custodian-bench] [--writer-interval-ms 5] [--erasure-subjects 1000] [--entries 1000000 (witness)]
npm run bench -- --only quick-check [--bindings 1000000]   (server:check's quick_check while a Sydent-like writer writes)
npm run bench -- --only blocks [--block-count 100000] [--iterations 2000]   (HAProxy abuse blocks; needs Debian's haproxy)
npm run bench -- --only retention [--days 365] [--mb-per-day 1] [--keep-plain 1]   (log-retention audit vs zcat/zgrep; also: npm run bench -- retention ...)`;

async function runBlocks(blockCount: number, iterations: number): Promise<number> {
  const { renderBlocksReport, runBlocksBench } = await import("@/lib/bench/blocks");
  const result = await runBlocksBench({ blockCount, iterations, onProgress: (m) => process.stderr.write(`bench: ${m}\n`) });
  const out = path.join(BENCH_ROOT, `results-blocks-${result.startedAt.replace(/[:.]/g, "")}.json`);
  fs.mkdirSync(BENCH_ROOT, { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
  console.log(renderBlocksReport(result));
  console.log(`\nresults: ${path.relative(process.cwd(), out)}`);
  return 0;
}

function int(name: string, v: string | undefined, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

async function main(): Promise<number> {
  // npm run bench -- retention [...]: the log-retention audit benchmark (lib/bench/retention.ts).
  // `--only retention` is the same benchmark (the other benchmarks are chosen with --only).
  if (process.argv[2] === "retention") return (await import("@/lib/bench/retention")).retentionBench(process.argv.slice(3));
  const onlyAt = process.argv.indexOf("--only");
  if (onlyAt >= 2 && process.argv[onlyAt + 1] === "retention") {
    return (await import("@/lib/bench/retention")).retentionBench(process.argv.slice(2).filter((_, i) => i !== onlyAt - 2 && i !== onlyAt - 1));
  }
  const { values } = parseArgs({
    options: {
      bindings: { type: "string" }, iterations: { type: "string" }, only: { type: "string" }, seed: { type: "string" },
      "writer-interval-ms": { type: "string" }, "erasure-subjects": { type: "string" }, "erasure-live-execute": { type: "string" }, help: { type: "boolean", short: "h" },
      "block-count": { type: "string" },
      entries: { type: "string" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.only === "blocks") return runBlocks(int("block-count", values["block-count"], 100_000, 1, 1_000_000), int("iterations", values.iterations, 2000, 3, 100_000));
  if (values.only === "witness") {
    // The witnessed access log (BENCHMARKS.md "Access log: verification and proofs").
    const r = await runWitnessBench({
      entries: int("entries", values.entries, 1_000_000, 1000, 50_000_000),
      iterations: int("iterations", values.iterations, 200, 3, 10_000),
      log: (m) => process.stderr.write(`bench: ${m}\n`),
    });
    fs.mkdirSync(BENCH_ROOT, { recursive: true });
    const out = path.join(BENCH_ROOT, `witness-results-${new Date().toISOString().replace(/[:.]/g, "")}.json`);
    fs.writeFileSync(out, JSON.stringify(r, null, 2) + "\n");
    console.log(JSON.stringify(r, null, 2));
    return 0;
  }
  if (values.only === "quick-check") {
    // server:check's integrity check while a Sydent-like writer writes (BENCHMARKS.md "server:check's quick_check").
    const { runQuickCheckBench } = await import("@/lib/bench/quick-check");
    return runQuickCheckBench({
      bindings: int("bindings", values.bindings, 1_000_000, 100, 50_000_000),
      seed: values.seed ?? "custodian-bench",
      log: (m) => process.stderr.write(`bench: ${m}\n`),
    });
  }
  if (values.only === "erasure-live") {
    const { runErasureLiveBench } = await import("@/lib/bench/erasure-live-run");
    return runErasureLiveBench({
      bindings: int("bindings", values.bindings, 1_000_000, 100, 50_000_000),
      seed: values.seed ?? "custodian-bench",
      subjects: int("erasure-subjects", values["erasure-subjects"], 1000, 1, 100_000),
      executeSubjects: values["erasure-live-execute"] === undefined ? undefined : int("erasure-live-execute", values["erasure-live-execute"], 1000, 1, 100_000),
    });
  }
  const only = (values.only ?? "all") as BenchOnly;
  if (!["search", "package", "erasure", "all"].includes(only)) throw new Error("--only must be search, package, erasure or all");
  const result = await runBench({
    bindings: int("bindings", values.bindings, 1_000_000, 100, 50_000_000),
    iterations: int("iterations", values.iterations, 30, 3, 10_000),
    only,
    seed: values.seed ?? "custodian-bench",
    writerIntervalMs: int("writer-interval-ms", values["writer-interval-ms"], 5, 0, 1000),
    erasureSubjects: int("erasure-subjects", values["erasure-subjects"], 1000, 1, 100_000),
    onProgress: (m) => process.stderr.write(`bench: ${m}\n`),
  });
  const stamp = result.startedAt.replace(/[:.]/g, "").replace(/\d{3}Z$/, "Z");
  const out = path.join(BENCH_ROOT, `results-${stamp}.json`);
  fs.mkdirSync(BENCH_ROOT, { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
  console.log(renderReport(result));
  console.log(`\nresults: ${path.relative(process.cwd(), out)}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}\n${HELP}`);
    process.exit(1);
  },
);
