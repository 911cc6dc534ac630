import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderReport } from "@/lib/bench/report";
import { runBench } from "@/lib/bench/run";
import type { Measurement } from "@/lib/bench/types";

// Smoke test of the benchmark harness on a tiny demo (2,000 bindings): it runs end to end and
// returns a result object of the documented shape. No timing is asserted anywhere: times on a
// shared CI machine say nothing; the real figures come from `npm run bench` (BENCHMARKS.md).

const root = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-bench-test-"));
const savedEnv = { ...process.env };

afterAll(() => {
  process.env = savedEnv;
  fs.rmSync(root, { recursive: true, force: true });
});

const isSummary = (s: unknown) =>
  expect(s).toEqual({ n: expect.any(Number), medianMs: expect.any(Number), p95Ms: expect.any(Number), minMs: expect.any(Number), maxMs: expect.any(Number) });

describe("npm run bench (harness smoke test)", () => {
  it("builds a small demo pair, measures everything and reports a well-formed result", async () => {
    const r = await runBench({ bindings: 2000, iterations: 4, only: "all", seed: "bench-smoke", writerIntervalMs: 5, erasureSubjects: 5, cacheRoot: root });
    expect(r.schema).toBe("custodian-bench/1");
    expect(r.data.generatedNow, "the demo pair is built afresh in an empty cache folder").toBe(true);
    expect(fs.existsSync(path.join(root, "2000-bench-smoke", "summary.json"))).toBe(true);
    expect(r.data.servers.map((s) => s.label)).toEqual(["is1", "is2"]);
    expect(r.machine.nproc).toBeGreaterThan(0);
    const keys = r.measurements.map((m: Measurement) => m.key);
    expect(keys).toEqual(["threepid", "threepid-no-sgassoc", "access-log", "threepid-with-log", "mxid", "sgassoc-cold", "sgassoc-warm", "package"]);
    for (const m of r.measurements) {
      isSummary(m.custodian);
      if (m.key === "access-log") expect(m.hand).toBeNull();
      else isSummary(m.hand);
      expect(m.custodian!.n).toBeGreaterThan(0);
    }
    expect(r.measurements.find((m) => m.key === "threepid")!.target).toBe(1.5);
    // Custodian and the hand SQL must give the same answers (record counts) for every subject.
    expect(r.answerMismatches).toEqual([]);
    const c = r.concurrency!;
    expect(c.writer.map((w) => w.phase)).toContain("custodian: 3PID searches");
    expect(c.writer.map((w) => w.phase)).toContain("custodian: Matrix ID searches");
    for (const w of c.writer) expect(w.otherErrors).toEqual([]);
    expect(c.writer.reduce((n, w) => n + w.transactions, 0)).toBeGreaterThan(0);
    expect(typeof c.totalBusyErrors).toBe("number");
    // The concurrency copy is removed; the cached database was never written.
    expect(fs.readdirSync(path.join(root, "work"))).toEqual([]);
    expect(renderReport(r)).toContain("3PID search, database work");
    // Erasure under load (5 subjects): shape only, and the plain-SQL check of the erased sample.
    const e = r.erasure!;
    expect(e.requestedSubjects).toBe(5);
    expect(e.subjects).toBeGreaterThan(0);
    for (const s of Object.values(e.perSubject)) isSummary(s);
    expect(e.perSubject.total.n).toBe(e.subjects);
    expect(Object.values(e.jobStates).reduce((n, x) => n + x, 0)).toBe(e.subjects);
    expect(e.engineStepsRun).toBeGreaterThan(0);
    expect(Object.keys(e.stepKinds), "the engine ran its verify steps").toContainEqual(expect.stringMatching(/^verify/));
    expect(e.writer.map((w) => w.phase)).toContain("erasure: search + plan + engine, per subject");
    for (const w of e.writer) expect(w.otherErrors).toEqual([]);
    expect(e.duringErasure!.transactions).toBeGreaterThan(0);
    expect(typeof e.totalBusyErrors).toBe("number");
    expect(e.verification.sampled).toBeGreaterThan(0);
    expect(e.verification.servers.map((s) => s.label)).toEqual(["bench-erasure-is1", "bench-erasure-is2"]);
    expect(e.verification.ok, JSON.stringify({ verification: e.verification, jobStates: e.jobStates, paused: e.pausedReasons })).toBe(true);
    expect(renderReport(r)).toContain("subjects/s");
  }, 300_000);
});
