import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { runErasureJob } from "@/lib/erasure/engine";
import { approvedJob, findingsForSubject, fullTruth, NOW_MS, retireWorld, setupWorld } from "@/lib/erasure/testing";
import { approveErasure, replanErasure } from "@/lib/erasure/workflow";
import type { Finder } from "@/lib/exports/collect";
import { seedStaff } from "@/lib/requests/testing";
import { searchIdentityServers } from "@/lib/subjects/search";
import { closeSydent } from "@/lib/sydent/open";
import { INSTANCES, tempDir } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Finding 11: a binding made after approval makes verification fail and pauses the job. Re-plan
// searches again, puts the job back to "awaiting_approval" with a new plan (logged); the person
// who re-planned cannot approve it; a second person does, and the run then erases the new binding
// too (checked with plain SQL on the fixture copy).

useTestConsoleDb();
const root = tempDir();
afterAll(async () => {
  await closeSydent();
  fs.rmSync(root, { recursive: true, force: true });
});

const subject = fullTruth.subjects.find((s) => s.mxid && s.threepids.some((t) => t.medium === "email"))!;
const NEW_EMAIL = "bound.after.approval@example.org";

function sql(file: string, q: string, ...args: unknown[]): number {
  const d = new Database(file, { readonly: true });
  try {
    return (d.prepare(q).get(...args) as { n: number }).n;
  } finally {
    d.close();
  }
}

describe("re-plan a job whose verification found data added after approval", () => {
  it("re-plans, needs a second approval, then erases the new binding", { timeout: 120_000 }, async () => {
    const w = await setupWorld(path.join(root, "w"));
    const { jobId } = await approvedJob(w, await findingsForSubject(w, subject));
    // A new binding of the same Matrix ID on is1, made after approval.
    const d = new Database(w.files.is1);
    d.prepare("INSERT INTO local_threepid_associations (medium, address, mxid, ts, notBefore, notAfter) VALUES ('email', ?, ?, ?, ?, ?)").run(NEW_EMAIL, subject.mxid, NOW_MS, NOW_MS - 1000, NOW_MS + 86_400_000 * 365);
    d.close();
    const bound = () => sql(w.files.is1, "SELECT count(*) AS n FROM local_threepid_associations WHERE address = ? AND mxid IS NOT NULL", NEW_EMAIL);
    expect(bound()).toBe(1);

    const first = await runErasureJob(jobId, w.executor, { now: () => new Date(NOW_MS) });
    expect(first.state).toBe("paused");
    expect(await db().erasureStep.count({ where: { jobId, kind: "verify", state: "failed" } })).toBeGreaterThan(0);

    const servers = INSTANCES.map((i) => w.servers[i]);
    const find: Finder = async (q, o) => ({ ...(await searchIdentityServers(q, { expand: o.expand, servers, nowMs: NOW_MS })), query: q, logs: null, searchedAt: new Date(NOW_MS).toISOString() });
    const support = await seedStaff("support");
    expect(await replanErasure({ jobId, actor: support.actor }, { find })).toEqual({ ok: true });
    const job = await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(job).toMatchObject({ state: "awaiting_approval", approvedById: null, pausedReason: null });
    expect(await db().erasureStep.count({ where: { jobId, state: "failed" } })).toBe(0);
    expect(await db().accessLogEntry.count({ where: { action: "erasure.replan", outcome: "ok", details: { contains: jobId } } })).toBe(1);
    // Not from another state.
    expect(await replanErasure({ jobId, actor: support.actor }, { find })).toMatchObject({ ok: false, code: "conflict" });

    const masked = job.subjectMasked;
    const secondPerson = await seedStaff("dpo");
    expect(await approveErasure({ jobId, typedConfirmation: masked, approver: support.actor })).toMatchObject({ ok: false, code: "denied" });
    expect(await approveErasure({ jobId, typedConfirmation: masked, approver: secondPerson.actor })).toEqual({ ok: true });

    const second = await runErasureJob(jobId, w.executor, { now: () => new Date(NOW_MS) });
    expect(["phase2_pending", "completed"]).toContain(second.state);
    expect(bound()).toBe(0);
    expect(sql(w.files.is1, "SELECT count(*) AS n FROM local_threepid_associations WHERE mxid = ?", subject.mxid)).toBe(0);
    await retireWorld(w);
  });

  it("the person who re-planned cannot approve the new plan", { timeout: 120_000 }, async () => {
    const w = await setupWorld(path.join(root, "w2"));
    const { jobId } = await approvedJob(w, await findingsForSubject(w, subject));
    const d = new Database(w.files.is1);
    d.prepare("INSERT INTO local_threepid_associations (medium, address, mxid, ts, notBefore, notAfter) VALUES ('email', ?, ?, ?, ?, ?)").run(NEW_EMAIL, subject.mxid, NOW_MS, NOW_MS - 1000, NOW_MS + 1000);
    d.close();
    expect((await runErasureJob(jobId, w.executor, { now: () => new Date(NOW_MS) })).state).toBe("paused");
    const servers = INSTANCES.map((i) => w.servers[i]);
    const find: Finder = async (q, o) => ({ ...(await searchIdentityServers(q, { expand: o.expand, servers, nowMs: NOW_MS })), query: q, logs: null, searchedAt: new Date(NOW_MS).toISOString() });
    const dpo = await seedStaff("dpo");
    expect((await replanErasure({ jobId, actor: dpo.actor }, { find })).ok).toBe(true);
    const job = await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } });
    const r = await approveErasure({ jobId, typedConfirmation: job.subjectMasked, approver: dpo.actor });
    expect(r).toMatchObject({ ok: false, code: "denied", message: expect.stringMatching(/re-planned/) });
    await retireWorld(w);
  });
});
