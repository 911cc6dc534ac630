import fs from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { buildReceipt } from "@/lib/erasure/receipt";
import { approveErasure, executeErasure, previewErasure, startErasure } from "@/lib/erasure/workflow";
import { chooseBystander } from "@/lib/erasure/bystander-choice";
import type { ErasurePlan } from "@/lib/erasure/plan";
import { openJson } from "@/lib/erasure/workflow-support";
import { confirmationMatches, NOTHING_HELD_OUTCOME } from "@/lib/erasure/workflow-support";
import { encryptSecret } from "@/lib/keys";
import { getRequestTimeline } from "@/lib/requests/queries";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import { maskIdentifier } from "@/lib/subjects/present-mask";
import { closeSydent } from "@/lib/sydent/open";
import { copyFixture, FIXTURE_DIR, INSTANCES, tempDir, truth, type Instance } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { NO_SYDENT } from "@/lib/erasure/testing";

// The erasure workflow on copies of the real fixture (both console databases): one job per
// (request, person) however many press the button, separation of duties, the typed confirmation,
// approved-only execution, "nothing held" closing the request, and every step on its timeline.

useTestConsoleDb();
type T3 = { medium: "email" | "msisdn"; address: string; state: string; origin: string | null };
type Subject = { key: string; mxid: string | null; threepids: T3[] };
const subjects = (JSON.parse(fs.readFileSync(`${FIXTURE_DIR}/truth.json`, "utf8")) as { subjects: Subject[] }).subjects;
// A person with one e-mail binding that originated on is1 (so is2 holds the replicated copy).
const person = subjects.find((s) => s.mxid && s.threepids.length === 1 && s.threepids[0].medium === "email" && s.threepids[0].state === "bound" && s.threepids[0].origin === "is1")!;
const email = person.threepids[0].address;

const dir = tempDir();
const files = {} as Record<Instance, string>;
beforeAll(async () => {
  for (const i of INSTANCES) {
    files[i] = copyFixture(i, dir);
    await db().identityServer.create({ data: { label: i, serverName: truth.instances[i].server_name, dbPath: files[i], ...NO_SYDENT } });
  }
});
afterAll(async () => {
  await closeSydent();
  fs.rmSync(dir, { recursive: true, force: true });
});

function sql<T>(i: Instance, q: string, ...args: unknown[]): T {
  const d = new Database(files[i], { readonly: true });
  try {
    return d.prepare(q).get(...args) as T;
  } finally {
    d.close();
  }
}
const globalRows = (i: Instance, a: string) => sql<{ n: number }>(i, "SELECT count(*) AS n FROM global_threepid_associations WHERE medium = 'email' AND lower(address) = lower(?)", a).n;
const boundLocal = (i: Instance, a: string) => sql<{ n: number }>(i, "SELECT count(*) AS n FROM local_threepid_associations WHERE medium = 'email' AND lower(address) = lower(?) AND mxid IS NOT NULL", a).n;

async function requestWith(value: string, createdById: string, type = "erasure") {
  const r = await seedRequest({ createdById, receivedAt: new Date(), type });
  await db().requestSubject.create({
    data: { requestId: r.id, type: "email", valueEnc: encryptSecret(value, "subject-identifier-v1"), pseudonym: pseudonymFor("email", value), masked: maskIdentifier("email", value), addedById: createdById },
  });
  return r;
}

describe("erasure workflow", () => {
  it("the typed confirmation accepts the masked form, '*' for '•', and nothing else", () => {
    expect(confirmationMatches("a•••@example.org", "a•••@example.org")).toBe(true);
    expect(confirmationMatches(" a***@example.org ", "a•••@example.org")).toBe(true);
    expect(confirmationMatches("alice@example.org", "a•••@example.org")).toBe(false);
    expect(confirmationMatches("", "a•••@example.org")).toBe(false);
  });

  it("erases a person on both servers: one job under concurrent presses, second-person approval, approved-only execution, all on the timeline", async () => {
    const support = await seedStaff("support");
    const dpo = await seedStaff("dpo");
    const r = await requestWith(email, support.id);
    expect(globalRows("is1", email)).toBeGreaterThan(0);
    expect(globalRows("is2", email)).toBeGreaterThan(0);

    const started = await Promise.all([1, 2, 3].map(() => startErasure({ requestId: r.id, reason: "own_request", requestedBy: support.actor })));
    for (const s of started) expect(s.ok).toBe(true);
    const ids = new Set(started.map((s) => (s.ok ? s.jobId : "")));
    expect(ids.size).toBe(1);
    expect(started.filter((s) => s.ok && s.created)).toHaveLength(1);
    expect(await db().erasureJob.count({ where: { requestId: r.id } })).toBe(1);
    const jobId = [...ids][0];
    const job = await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.state).toBe("awaiting_approval");
    expect(job.subjectMasked).toBe(maskIdentifier("email", email));

    const preview = await previewErasure(jobId, dpo.actor);
    expect(preview?.nothingHeld).toBe(false);
    expect(preview?.servers.map((s) => s.label).sort()).toEqual(["is1", "is2"]);
    expect(JSON.stringify(preview)).not.toContain(email);

    // Bystanders (issue 8): listed one per row; the default keeps them bound, which needs Sydent's
    // internal API. These fixture files have no live Sydent, so the second person explicitly
    // chooses to unbind each, with a reason; the requester may not.
    const plan = openJson<ErasurePlan>(job.planEnc!);
    const rows = plan.servers.flatMap((s) => s.embedding.map((e) => ({ serverId: s.server.id, globalId: e.globalId })));
    expect(preview?.bystanders).toHaveLength(rows.length);
    if (rows.length) expect(await chooseBystander({ jobId, ...rows[0], action: "unbind", reason: "no live Sydent in this test", actor: support.actor })).toMatchObject({ ok: false });
    for (const row of rows) expect(await chooseBystander({ jobId, ...row, action: "unbind", reason: "no live Sydent in this test", actor: dpo.actor })).toEqual({ ok: true });

    expect((await executeErasure({ jobId, executor: dpo.actor })).ok).toBe(false);
    const self = await approveErasure({ jobId, typedConfirmation: job.subjectMasked, approver: { ...support.actor, role: "dpo" } });
    expect(self).toMatchObject({ ok: false, code: "denied" });
    expect(await approveErasure({ jobId, typedConfirmation: job.subjectMasked, approver: (await seedStaff("support")).actor })).toMatchObject({ ok: false, code: "denied" });
    const wrong = await approveErasure({ jobId, typedConfirmation: email, approver: dpo.actor });
    expect(wrong).toMatchObject({ ok: false, code: "invalid" });
    expect((await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } })).state).toBe("awaiting_approval");
    expect(await approveErasure({ jobId, typedConfirmation: job.subjectMasked, approver: dpo.actor })).toEqual({ ok: true });
    expect(await approveErasure({ jobId, typedConfirmation: job.subjectMasked, approver: dpo.actor })).toMatchObject({ ok: false, code: "conflict" });

    const ran = await executeErasure({ jobId, executor: dpo.actor });
    expect(ran.ok).toBe(true);
    expect(["phase2_pending", "completed"]).toContain(ran.ok ? ran.state : "");
    for (const i of INSTANCES) {
      expect(globalRows(i, email)).toBe(0);
      expect(boundLocal(i, email)).toBe(0);
    }
    const after = await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(after.executedById).toBe(dpo.id);
    expect(after.phase1DoneAt).not.toBeNull();
    expect(after.phase2DueAt!.getTime() - after.phase1DoneAt!.getTime()).toBeLessThanOrEqual(30 * 86_400_000);

    const receipt = await buildReceipt(jobId);
    expect(receipt.servers.map((s) => [s.server, s.verification?.ok])).toEqual(expect.arrayContaining([["is1", true], ["is2", true]]));
    expect(JSON.stringify(receipt)).not.toContain(email);
    expect(receipt.people.approvedBy).toBe(dpo.email);

    const actions = (await getRequestTimeline(r.id)).map((e) => `${e.action}:${e.outcome}`);
    for (const a of ["erasure.request:ok", "erasure.preview:ok", "erasure.execute:invalid", "erasure.approve:denied", "erasure.approve:invalid", "erasure.approve:ok", "erasure.execute:ok", "erasure.phase1.done:ok"]) {
      expect(actions).toContain(a);
    }
    expect(actions.filter((a) => a === "erasure.request:ok")).toHaveLength(1);
  });

  it("a person held nowhere: approved and run, the job ends 'nothing held' with a receipt and the request is closed", async () => {
    const dpo = await seedStaff("dpo");
    const dpo2 = await seedStaff("dpo");
    const nobody = `nobody-${Date.now()}@nowhere.example`;
    const r = await requestWith(nobody, dpo.id);
    const s = await startErasure({ requestId: r.id, reason: "own_request", requestedBy: dpo.actor });
    expect(s).toMatchObject({ ok: true, created: true, nothingHeld: true });
    if (!s.ok) return;
    expect((await previewErasure(s.jobId, dpo2.actor))?.nothingHeld).toBe(true);
    expect(await approveErasure({ jobId: s.jobId, typedConfirmation: maskIdentifier("email", nobody), approver: dpo2.actor })).toEqual({ ok: true });
    expect(await executeErasure({ jobId: s.jobId, executor: dpo2.actor })).toMatchObject({ ok: true, state: "nothing_held" });
    const job = await db().erasureJob.findUniqueOrThrow({ where: { id: s.jobId } });
    expect(job.receipt).toBeTruthy();
    expect(job.receipt).not.toContain(nobody);
    expect(await db().erasureStep.count({ where: { jobId: s.jobId } })).toBe(0);
    const req = await db().request.findUniqueOrThrow({ where: { id: r.id } });
    expect(req.closedAt).not.toBeNull();
    expect(req.state).toBe("completed");
    expect(req.outcome).toBe(NOTHING_HELD_OUTCOME);
    const actions = (await getRequestTimeline(r.id)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["erasure.request", "erasure.approve", "erasure.execute", "erasure.nothing_held", "request.close"]));
  });

  it("only an open erasure request starts an erasure, except 'under 16' from any open request", async () => {
    const dpo = await seedStaff("dpo");
    const complaint = await requestWith(`minor-${Date.now()}@nowhere.example`, dpo.id, "complaint");
    expect(await startErasure({ requestId: complaint.id, reason: "own_request", requestedBy: dpo.actor })).toMatchObject({ ok: false, code: "invalid" });
    expect(await startErasure({ requestId: complaint.id, reason: "under_16", requestedBy: dpo.actor })).toMatchObject({ ok: true, created: true });
    const closed = await seedRequest({ createdById: dpo.id, receivedAt: new Date(), type: "erasure", closedAt: new Date(), state: "completed" });
    expect(await startErasure({ requestId: closed.id, reason: "own_request", requestedBy: dpo.actor })).toMatchObject({ ok: false, code: "invalid" });
    const auditor = await seedStaff("auditor");
    expect(await startErasure({ requestId: complaint.id, reason: "under_16", requestedBy: auditor.actor })).toMatchObject({ ok: false, code: "denied" });
  });
});
