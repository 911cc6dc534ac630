import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { verifyAccessLog } from "@/lib/audit/verify";
import { db } from "@/lib/db";
import { openTarget, runErasureJob } from "@/lib/erasure/engine";
import * as ops from "@/lib/erasure/ops";
import { buildReceipt, type ErasureReceipt } from "@/lib/erasure/receipt";
import { approvedJob, dumpDb, findingsForSubject, fullTruth, NOW_MS, retireWorld, setupWorld, type World } from "@/lib/erasure/testing";
import { INSTANCES, tempDir } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Kill-and-restart (issue 4, "crash-safe and idempotent"): the job runs in a CHILD process that
// exits (137) at step boundary k, for every k; the job is then resumed in-process. The end state
// must equal a clean run's (same rows in every table of both files: exactly one tombstone per
// binding), no step may be "done" without its effect, the receipt's counts must equal the clean
// run's (a step interrupted between acting and "done" reports its effect as "already" done on the
// re-run), and the access log must verify.

useTestConsoleDb();
const root = tempDir();
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const NOW = () => new Date(NOW_MS);
const TSX = path.resolve("node_modules/.bin/tsx");

async function fresh(tag: string, key: string): Promise<{ w: World; jobId: string }> {
  const w = await setupWorld(path.join(root, tag));
  const s = fullTruth.subjects.find((x) => x.key === key)!;
  const { jobId } = await approvedJob(w, await findingsForSubject(w, s));
  return { w, jobId };
}

/** What a receipt says was done, per server (by Sydent server name) and store, without ids or times. */
const receiptCounts = (r: ErasureReceipt) => ({
  state: r.state,
  logsScrubbed: r.logs.scrubbed,
  servers: r.servers.map((s) => ({ serverName: s.serverName, stores: s.stores, ok: s.verification?.ok ?? null, leftovers: s.verification?.leftovers ?? null, pending: s.pendingTombstones }))
    .sort((a, b) => a.serverName.localeCompare(b.serverName)),
});

const endState = (w: World) => Object.fromEntries(INSTANCES.map((i) => [i, dumpDb(w.files[i])]));

/** Re-running a done step's op must change nothing: its effect is already there. */
async function effectPresent(w: World, step: { kind: string; serverId: string | null; targetEnc: string }): Promise<boolean> {
  const file = INSTANCES.map((i) => w.servers[i]).find((s) => s.id === step.serverId)?.dbPath;
  if (!file || step.kind === "verify" || step.kind === "pruneTombstone" || step.kind === "scrubLogs") return true;
  const t = openTarget<never>(step.targetEnc);
  const fn = (ops as unknown as Record<string, (f: string, t: never, o: object) => Promise<Record<string, number>>>)[step.kind];
  const r = await fn(file, t, { nowMs: NOW_MS });
  return Object.values(r).every((v) => typeof v !== "number" || v === 0);
}

describe.each([["kate"], ["grace"]])("kill-and-restart erasing %s", (key) => {
  it("ends in the clean run's state from every step boundary", { timeout: 600_000 }, async () => {
    const clean = await fresh(`${key}-clean`, key);
    const r = await runErasureJob(clean.jobId, clean.w.executor, { now: NOW });
    expect(["phase2_pending", "completed"]).toContain(r.state);
    const expected = endState(clean.w);
    const expectedReceipt = receiptCounts(await buildReceipt(clean.jobId));
    expect(expectedReceipt.servers.some((s) => Object.values(s.stores).some((c) => Object.values(c).some((n) => n > 0)))).toBe(true);
    const stepCount = await db().erasureStep.count({ where: { jobId: clean.jobId } });
    expect(stepCount).toBeGreaterThan(2);
    await retireWorld(clean.w);

    for (let k = 0; k < 3 * stepCount; k++) {
      const { w, jobId } = await fresh(`${key}-k${k}`, key);
      const child = spawnSync(TSX, ["lib/erasure/testing.ts", "run-job", jobId, String(k)], { env: process.env, encoding: "utf8", timeout: 120_000 });
      expect(child.status, `k=${k}: ${child.stderr}`).toBe(137);
      const steps = await db().erasureStep.findMany({ where: { jobId }, orderBy: { seq: "asc" } });
      for (const s of steps.filter((x) => x.state === "done")) expect(await effectPresent(w, s), `k=${k} step ${s.seq} ${s.kind}`).toBe(true);
      const resumed = await runErasureJob(jobId, w.executor, { now: NOW, leaseMs: 0 });
      expect(resumed.state, `k=${k}`).toBe(r.state);
      expect(endState(w), `k=${k}`).toEqual(expected);
      expect(receiptCounts(await buildReceipt(jobId)), `k=${k} receipt`).toEqual(expectedReceipt);
      const after = await db().erasureStep.findMany({ where: { jobId } });
      expect(after.every((s) => s.state === "done")).toBe(true);
      expect(after.every((s) => s.attempts <= 2)).toBe(true);
      await retireWorld(w);
    }
    expect((await verifyAccessLog(db())).ok).toBe(true);
  });
});
