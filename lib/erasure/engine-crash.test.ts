import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { verifyAccessLog } from "@/lib/audit/verify";
import { db } from "@/lib/db";
import Database from "better-sqlite3";
import { openTarget, runErasureJob, subjectIdsOf } from "@/lib/erasure/engine";
import { scrubLogs } from "@/lib/erasure/phase2-scrub";
import { verifyServer, type VerifyResult } from "@/lib/erasure/verify";
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

/**
 * A "done" step's effect is there: for writes, re-running the op changes nothing; a verify step
 * recorded ok and the same check on the file still passes; a pruned tombstone is gone; scrubbed
 * logs hold no line to remove. Kinds it does not know fail the test.
 */
async function effectPresent(w: World, jobId: string, step: { kind: string; serverId: string | null; targetEnc: string; result: string | null }): Promise<boolean> {
  checkedKinds.add(step.kind);
  if (step.kind === "scrubLogs") {
    const r = await scrubLogs(openTarget<{ files: string[] }>(step.targetEnc), await idsOf(jobId));
    return r.linesRemoved === 0 && r.filesRewritten === 0;
  }
  const file = INSTANCES.map((i) => w.servers[i]).find((s) => s.id === step.serverId)?.dbPath;
  if (!file) throw new Error(`step ${step.kind} names no server of this world`);
  if (step.kind === "verify") {
    const stored = JSON.parse(step.result ?? "{}") as Partial<VerifyResult>;
    return stored.ok === true && (await verifyServer(file, await idsOf(jobId), { nowMs: NOW_MS })).ok;
  }
  const t = openTarget<never>(step.targetEnc);
  if (step.kind === "pruneTombstone") {
    const { id } = t as { id: number };
    const raw = new Database(file, { readonly: true });
    try {
      return raw.prepare("SELECT 1 FROM local_threepid_associations WHERE id = ? AND mxid IS NULL").get(id) === undefined;
    } finally {
      raw.close();
    }
  }
  const fn = (ops as unknown as Record<string, (f: string, t: never, o: object) => Promise<Record<string, number>>>)[step.kind];
  if (typeof fn !== "function") throw new Error(`no check for step kind ${step.kind}`);
  const r = await fn(file, t, { nowMs: NOW_MS });
  return Object.values(r).every((v) => typeof v !== "number" || v === 0);
}
const checkedKinds = new Set<string>();
const idsOf = async (jobId: string) => subjectIdsOf(await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } }));

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
      for (const s of steps.filter((x) => x.state === "done")) expect(await effectPresent(w, jobId, s), `k=${k} step ${s.seq} ${s.kind}`).toBe(true);
      const resumed = await runErasureJob(jobId, w.executor, { now: NOW, leaseMs: 0 });
      expect(resumed.state, `k=${k}`).toBe(r.state);
      expect(endState(w), `k=${k}`).toEqual(expected);
      expect(receiptCounts(await buildReceipt(jobId)), `k=${k} receipt`).toEqual(expectedReceipt);
      const after = await db().erasureStep.findMany({ where: { jobId } });
      expect(after.every((s) => s.state === "done")).toBe(true);
      expect(after.every((s) => s.attempts <= 2)).toBe(true);
      await retireWorld(w);
    }
    // The verify steps were among those checked (not waved through).
    expect([...checkedKinds]).toContain("verify");
    expect((await verifyAccessLog(db())).ok).toBe(true);
  });
});
