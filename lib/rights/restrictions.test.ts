import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { approveErasure, executeErasure, startErasure } from "@/lib/erasure/workflow";
import { encryptSecret } from "@/lib/keys";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import { liftRestriction, restrictProcessing } from "@/lib/rights/restrictions";
import { maskIdentifier } from "@/lib/subjects/present-mask";
import { runSubjectSearch } from "@/lib/subjects/reveal";
import { closeSydent } from "@/lib/sydent/open";
import { copyFixture, FIXTURE_DIR, INSTANCES, tempDir, truth } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Restriction of processing (Art. 18) on copies of the real fixture: flagged on every search,
// whichever identifier of the person is typed; erasure refused at start, approval and execution
// while it is active; allowed again once lifted. Every step lands under the person's pseudonym.

useTestConsoleDb();
type Subject = { mxid: string | null; threepids: { medium: string; address: string; state: string; origin: string | null }[] };
const subjects = (JSON.parse(fs.readFileSync(`${FIXTURE_DIR}/truth.json`, "utf8")) as { subjects: Subject[] }).subjects;
const person = subjects.find((s) => s.mxid && s.threepids.length === 1 && s.threepids[0].medium === "email" && s.threepids[0].state === "bound" && s.threepids[0].origin === "is1")!;
const email = person.threepids[0].address;

const dir = tempDir();
beforeAll(async () => {
  for (const i of INSTANCES) {
    await db().identityServer.create({ data: { label: i, serverName: truth.instances[i].server_name, dbPath: copyFixture(i, dir) } });
  }
});
afterAll(async () => {
  await closeSydent();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function erasureRequestFor(value: string, createdById: string, type = "erasure") {
  const r = await seedRequest({ createdById, receivedAt: new Date(), type });
  await db().requestSubject.create({
    data: { requestId: r.id, type: "email", valueEnc: encryptSecret(value, "subject-identifier-v1"), pseudonym: pseudonymFor("email", value), masked: maskIdentifier("email", value), addedById: createdById },
  });
  return r;
}

describe("restriction of processing", () => {
  it("flags the person on search, refuses erasure while active, and allows it once lifted", async () => {
    const dpo = await seedStaff("dpo");
    const dpo2 = await seedStaff("dpo");
    const support = await seedStaff("support");
    // Restricted by the Matrix ID: found again when the e-mail address is searched (same person).
    const r = await restrictProcessing(dpo.actor, { identifier: { type: "mxid", value: person.mxid! }, ground: "accuracy_contested" });
    expect(r.created).toBe(true);
    expect((await restrictProcessing(dpo.actor, { identifier: { type: "mxid", value: person.mxid! }, ground: "accuracy_contested" })).created).toBe(false);

    const search = await runSubjectSearch({ actor: dpo.actor, role: "dpo" }, { kind: "email", value: email });
    expect(search.ok).toBe(true);
    expect(search.view?.restrictions).toEqual([expect.objectContaining({ ground: "accuracy_contested", masked: maskIdentifier("mxid", person.mxid!) })]);

    const request = await erasureRequestFor(email, support.id);
    const refused = await startErasure({ requestId: request.id, reason: "own_request", requestedBy: support.actor });
    expect(refused).toMatchObject({ ok: false, code: "denied", message: expect.stringMatching(/restricted/) });
    expect(await db().erasureJob.count({ where: { requestId: request.id } })).toBe(0);

    // Restricted after the erasure was prepared: approval and execution are refused too.
    await liftRestriction(dpo.actor, r.id, "Accuracy checked with the person; nothing to correct.");
    const started = await startErasure({ requestId: request.id, reason: "own_request", requestedBy: support.actor });
    expect(started.ok).toBe(true);
    const jobId = (started as { jobId: string }).jobId;
    const again = await restrictProcessing(dpo.actor, { identifier: { type: "email", value: email }, ground: "legal_claims", requestId: request.id });
    const job = await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(await approveErasure({ jobId, typedConfirmation: job.subjectMasked, approver: dpo2.actor })).toMatchObject({ ok: false, code: "denied" });
    await db().erasureJob.update({ where: { id: jobId }, data: { state: "approved", approvedById: dpo2.id, approvedAt: new Date() } });
    expect(await executeErasure({ jobId, executor: dpo2.actor })).toMatchObject({ ok: false, code: "denied", message: expect.stringMatching(/restricted/) });
    expect((await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } })).state).toBe("approved");

    // Lifting needs a reason without identifiers, and only once.
    expect(await liftRestriction(dpo.actor, again.id, `Lifted for ${email}`)).toMatchObject({ ok: false });
    expect(await liftRestriction(dpo.actor, again.id, "The legal claim was settled; the person asked to go on.")).toEqual({ ok: true });
    expect(await liftRestriction(dpo.actor, again.id, "The legal claim was settled; the person asked to go on.")).toMatchObject({ ok: false });

    const entries = await db().accessLogEntry.findMany({ where: { action: { startsWith: "restriction." } }, orderBy: { seq: "asc" } });
    expect(entries.map((e) => [e.action, e.targetPseudonym])).toEqual([
      ["restriction.create", pseudonymFor("mxid", person.mxid!)],
      ["restriction.create", pseudonymFor("mxid", person.mxid!)],
      ["restriction.lift", pseudonymFor("mxid", person.mxid!)],
      ["restriction.create", pseudonymFor("email", email)],
      ["restriction.lift", pseudonymFor("email", email)],
    ]);
    expect(JSON.stringify(entries)).not.toContain(email);
  });
});

describe("rectification through the erasure machinery", () => {
  it("a rectification request unbinds the wrong binding with reason \"rectification\", and only that request type may", async () => {
    const support = await seedStaff("support");
    const rect = await erasureRequestFor(email, support.id, "rectification");
    expect(await startErasure({ requestId: rect.id, reason: "own_request", requestedBy: support.actor })).toMatchObject({ ok: false, code: "invalid" });
    const started = await startErasure({ requestId: rect.id, reason: "rectification", requestedBy: support.actor });
    expect(started).toMatchObject({ ok: true, created: true });
    expect((await db().erasureJob.findUniqueOrThrow({ where: { id: (started as { jobId: string }).jobId } })).reason).toBe("rectification");
    const erasure = await erasureRequestFor(email, support.id);
    expect(await startErasure({ requestId: erasure.id, reason: "rectification", requestedBy: support.actor })).toMatchObject({ ok: false, code: "invalid" });
  });
});
