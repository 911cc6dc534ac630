import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { runErasureJob } from "@/lib/erasure/engine";
import { buildReceipt } from "@/lib/erasure/receipt";
import { erasureAlarms, runPhase2 } from "@/lib/erasure/phase2";
import { approvedJob, dumpDb, findingsForSubject, fullTruth, NOW_MS, retireWorld, setupWorld, type World } from "@/lib/erasure/testing";
import { closeSydent } from "@/lib/sydent/open";
import { INSTANCES, tempDir } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Faults and concurrency: a locked, missing or read-only identity database pauses the job with a
// clear reason and nothing half-applied; running again finishes it in the clean end state. Two
// runners at once produce one erasure. Phase 2 prunes a tombstone only once every active peer's
// lastSentVersion has passed it; alarms from day 25.

useTestConsoleDb();
const root = tempDir();
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const NOW = () => new Date(NOW_MS);
const FAST = { busyTimeoutMs: 50, retries: 1, backoffMs: 10 };
const kate = fullTruth.subjects.find((s) => s.key === "kate")!;

async function fresh(tag: string) {
  const w = await setupWorld(path.join(root, tag));
  const { jobId } = await approvedJob(w, await findingsForSubject(w, kate));
  return { w, jobId };
}
const endState = (w: World) => Object.fromEntries(INSTANCES.map((i) => [i, dumpDb(w.files[i])]));

let expected: ReturnType<typeof endState>;
it("clean run (reference end state)", async () => {
  const { w, jobId } = await fresh("clean");
  expect((await runErasureJob(jobId, w.executor, { now: NOW })).state).toBe("phase2_pending");
  expected = endState(w);
  await retireWorld(w);
});

describe("a database that cannot be written pauses the job", () => {
  it("locked (BEGIN EXCLUSIVE held elsewhere): paused, nothing half-applied, resumes after release", async () => {
    const { w, jobId } = await fresh("locked");
    const before = endState(w);
    const holders = INSTANCES.map((i) => new Database(w.files[i]));
    holders.forEach((h) => h.exec("BEGIN EXCLUSIVE"));
    const r = await runErasureJob(jobId, w.executor, { now: NOW, op: FAST });
    expect(r.state).toBe("paused");
    expect(r.pausedReason).toMatch(/locked/);
    holders.forEach((h) => (h.exec("COMMIT"), h.close()));
    expect(endState(w)).toEqual(before);
    const steps = await db().erasureStep.findMany({ where: { jobId } });
    expect(steps.every((s) => s.state === "pending")).toBe(true);
    // The lock waits are counted on the step that met them (one retry, then the final wait), not hidden.
    const first = steps.sort((a, b) => a.seq - b.seq)[0];
    expect(first).toMatchObject({ lockWaits: 2, retries: 1, attempts: 1 });
    expect(first.lockWaitMs).toBeGreaterThanOrEqual(2 * FAST.busyTimeoutMs);
    expect((await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } })).state).toBe("paused");
    expect((await runErasureJob(jobId, w.executor, { now: NOW, op: FAST })).state).toBe("phase2_pending");
    expect(endState(w)).toEqual(expected);
    const receipt = await buildReceipt(jobId);
    const is = receipt.servers.find((x) => x.writes.lockWaits > 0)!;
    expect(is.writes).toMatchObject({ lockWaits: 2, retries: 1, internalApi: 0 });
    expect(is.writes.directWhileStopped).toBeGreaterThan(0);
    expect(is.writes.stoppedProof).toContain("no journal beside the file");
    await retireWorld(w);
  });

  it("missing mid-job, then read-only: paused each time, resumes when fixed", async () => {
    const { w, jobId } = await fresh("missing");
    const is2 = w.files.is2;
    fs.renameSync(is2, `${is2}.away`);
    let r = await runErasureJob(jobId, w.executor, { now: NOW, op: FAST });
    expect(r.state).toBe("paused");
    expect(r.pausedReason).toMatch(/missing/);
    fs.renameSync(`${is2}.away`, is2);
    fs.chmodSync(is2, 0o444);
    await closeSydent();
    r = await runErasureJob(jobId, w.executor, { now: NOW, op: FAST });
    expect(r.state).toBe("paused");
    expect(r.pausedReason).toMatch(/read-only/);
    fs.chmodSync(is2, 0o644);
    r = await runErasureJob(jobId, w.executor, { now: NOW, op: FAST });
    expect(r.state).toBe("phase2_pending");
    expect(endState(w)).toEqual(expected);
    await retireWorld(w);
  });
});

it("two runners at once: one erasure, one refused as busy", async () => {
  const { w, jobId } = await fresh("twice");
  const [a, b] = await Promise.all([runErasureJob(jobId, w.executor, { now: NOW }), runErasureJob(jobId, w.approver, { now: NOW })]);
  expect([a.busy, b.busy].filter(Boolean)).toHaveLength(1);
  const steps = await db().erasureStep.findMany({ where: { jobId } });
  expect(steps.every((s) => s.state === "done" && s.attempts === 1)).toBe(true);
  expect(endState(w)).toEqual(expected);
  await retireWorld(w);
});

it("phase 2: tombstones stay while an active peer is behind, go once it has them; alarms from day 25", async () => {
  const { w, jobId } = await fresh("phase2");
  await runErasureJob(jobId, w.executor, { now: NOW });
  const owned = (i: "is1" | "is2") => dumpDb(w.files[i]).local_threepid_associations.filter((r) => r.mxid === null && kate.threepids.some((t) => t.address === r.address));
  const is1Tomb = owned("is1")[0];
  expect(is1Tomb).toBeDefined();
  // is2 has received is1's tombstone, but is1 has not yet received is2's: only is1's may go.
  const d1 = new Database(w.files.is1);
  d1.prepare("UPDATE peers SET lastSentVersion = ? WHERE active = 1").run(is1Tomb.id);
  d1.close();
  let res = (await runPhase2(NOW(), w.executor)).find((x) => x.jobId === jobId)!;
  expect(res.state).toBe("phase2_pending");
  expect(owned("is1")).toEqual([]);
  expect(owned("is2")).toHaveLength(1);
  expect(res.pending).toEqual([expect.objectContaining({ kind: "tombstone", behind: ["is1.idp-dev.test"] })]);
  const due = (await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } })).phase2DueAt!;
  expect(due.getTime() - NOW_MS).toBe(30 * 86_400_000);
  expect((await erasureAlarms(new Date(NOW_MS + 24 * 86_400_000))).map((a) => a.jobId)).not.toContain(jobId);
  expect((await erasureAlarms(new Date(NOW_MS + 25 * 86_400_000))).find((a) => a.jobId === jobId)).toMatchObject({ day: 25, overdue: false });
  expect((await erasureAlarms(new Date(NOW_MS + 31 * 86_400_000))).find((a) => a.jobId === jobId)).toMatchObject({ overdue: true });
  const d2 = new Database(w.files.is2);
  d2.prepare("UPDATE peers SET lastSentVersion = (SELECT max(id) FROM local_threepid_associations) WHERE active = 1").run();
  d2.close();
  res = (await runPhase2(NOW(), w.executor)).find((x) => x.jobId === jobId)!;
  expect(res.state).toBe("completed");
  expect(owned("is2")).toEqual([]);
  const job = await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } });
  expect(JSON.parse(job.receipt!).servers.flatMap((s: { pendingTombstones: unknown[] }) => s.pendingTombstones)).toEqual([]);
  await retireWorld(w);
});
