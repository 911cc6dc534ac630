import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { totpCode } from "@/lib/auth/totp";
import { seedEnrolledStaff } from "@/lib/auth/testing";
import { runCli } from "@/lib/cli/testing";
import { db } from "@/lib/db";
import type { ErasurePlan } from "@/lib/erasure/plan";
import { retireWorld, setupWorld, type World } from "@/lib/erasure/testing";
import { previewErasure, startErasure } from "@/lib/erasure/workflow";
import { openJson } from "@/lib/erasure/workflow-support";
import { encryptSecret } from "@/lib/keys";
import { seedRequest } from "@/lib/requests/testing";
import { maskIdentifier } from "@/lib/subjects/present-mask";
import { FIXTURE_DIR, tempDir } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";
import bystander from "@/lib/cli/commands/erasure-bystander";

// erasure:bystander (issue 8): the second person decides, before approval, whether another
// person whose row embeds the subject stays bound (default) or is unbound, with a reason; refused
// for the person who prepared the erasure, without a code, with a short reason or a bad choice.

useTestConsoleDb();
type Subject = { key: string; mxid: string | null; threepids: { medium: string; address: string }[]; data_inside_other_rows_sgAssoc?: unknown[] };
const alice = (JSON.parse(fs.readFileSync(`${FIXTURE_DIR}/truth.json`, "utf8")) as { subjects: Subject[] }).subjects.find((s) => s.key === "alice")!;
const email = alice.threepids.find((t) => t.medium === "email")!.address;
let w: World;
beforeAll(async () => {
  w = await setupWorld(tempDir());
});
afterAll(async () => {
  await retireWorld(w);
  fs.rmSync(w.dir, { recursive: true, force: true });
});

async function staff(role: string) {
  const s = await seedEnrolledStaff({ role });
  const code = async () => (await db().staff.update({ where: { id: s.staff.id }, data: { totpLastStep: null } }), totpCode(s.totpSecret));
  return { ...s, code, actor: { id: s.staff.id, label: s.email, role } };
}

describe("erasure:bystander", () => {
  it("a second DPO unbinds one bystander with a reason and keeps them bound again; the preparer and bad input are refused", async () => {
    expect((alice.data_inside_other_rows_sgAssoc ?? []).length).toBeGreaterThan(0);
    const preparer = await staff("dpo");
    const second = await staff("dpo");
    const r = await seedRequest({ createdById: preparer.staff.id, receivedAt: new Date(), type: "erasure" });
    await db().requestSubject.create({
      data: { requestId: r.id, type: "email", valueEnc: encryptSecret(email, "subject-identifier-v1"), pseudonym: pseudonymFor("email", email), masked: maskIdentifier("email", email), addedById: preparer.staff.id },
    });
    const started = await startErasure({ requestId: r.id, reason: "own_request", requestedBy: preparer.actor });
    if (!started.ok) throw new Error(started.message);
    const jobId = started.jobId;
    const plan = openJson<ErasurePlan>((await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } })).planEnc!);
    const server = plan.servers.find((s) => s.embedding.length > 0)!;
    const row = server.embedding[0];
    const args = ["--job", jobId, "--server", server.server.id, "--row", String(row.globalId)];

    const self = await runCli(bystander, "--operator", preparer.email, ...args, "--choice", "unbind", "--reason", "The preparer should not decide this", "--code", await preparer.code());
    expect(self).toMatchObject({ code: 1, json: { ok: false, message: expect.stringMatching(/second person/) } });
    expect((await runCli(bystander, "--operator", second.email, ...args, "--choice", "unbind", "--reason", "Needs a code")).code).not.toBe(0);
    expect((await runCli(bystander, "--operator", second.email, ...args, "--choice", "delete", "--code", await second.code())).code).toBe(2);
    expect((await runCli(bystander, "--operator", second.email, ...args, "--choice", "unbind", "--reason", "short", "--code", await second.code())).json).toMatchObject({ ok: false, message: expect.stringMatching(/at least 10 characters/) });
    expect((await runCli(bystander, "--operator", second.email, "--job", jobId, "--server", server.server.id, "--row", "999999", "--choice", "unbind", "--reason", "A row that is not in the plan", "--code", await second.code())).json)
      .toMatchObject({ ok: false, message: expect.stringMatching(/not part of this erasure's plan/) });

    const ok = await runCli(bystander, "--operator", second.email, ...args, "--choice", "unbind", "--reason", "The household asked us to remove this binding too", "--code", await second.code());
    expect(ok).toMatchObject({ code: 0, json: { ok: true, choice: "unbind" } });
    let preview = await previewErasure(jobId, second.actor);
    const line = () => preview!.bystanders.find((b) => b.serverId === server.server.id && b.globalId === row.globalId)!;
    expect(line()).toMatchObject({ choice: "unbind", action: "Unbind (approved choice: The household asked us to remove this binding too)" });
    const logged = await db().accessLogEntry.findFirst({ where: { action: "erasure.bystander.choice", outcome: "ok" }, orderBy: { seq: "desc" } });
    expect(logged).toMatchObject({ targetPseudonym: pseudonymFor(row.medium, row.address), requestId: r.id, actorId: second.staff.id });
    expect(String(logged!.details)).not.toContain(row.address);

    expect((await runCli(bystander, "--operator", second.email, ...args, "--choice", "rebind", "--code", await second.code())).code).toBe(0);
    preview = await previewErasure(jobId, second.actor);
    expect(line().choice).toBe("rebind");
  });
});
