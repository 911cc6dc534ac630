import fs from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { totpCode } from "@/lib/auth/totp";
import { seedEnrolledStaff } from "@/lib/auth/testing";
import { runCli } from "@/lib/cli/testing";
import { findingsFor, subjects as exportSubjects } from "@/lib/exports/test-findings";
import { generatePackage } from "@/lib/exports/workflow";
import { closeSydent } from "@/lib/sydent/open";
import { copyFixture, FIXTURE_DIR, INSTANCES, tempDir, truth, type Instance } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { NO_SYDENT } from "@/lib/erasure/testing";
import approve from "@/lib/cli/commands/erasure-approve";
import execute from "@/lib/cli/commands/erasure-execute";
import prepare from "@/lib/cli/commands/erasure-prepare";
import preview from "@/lib/cli/commands/erasure-preview";
import review from "@/lib/cli/commands/package-review";
import replan from "@/lib/cli/commands/erasure-replan";
import revoke from "@/lib/cli/commands/package-revoke";
import createRequest from "@/lib/cli/commands/request-create";
import link from "@/lib/cli/commands/request-link";

// A single erasure and a package review entirely from the command line, on copies of the real
// fixture: prepare (support), approve (a second person, typed confirmation, --code), execute; the
// person's rows are gone from both servers (checked with plain SQL).

useTestConsoleDb();
type T3 = { medium: "email" | "msisdn"; address: string; state: string; origin: string | null };
const people = (JSON.parse(fs.readFileSync(`${FIXTURE_DIR}/truth.json`, "utf8")) as { subjects: { key: string; mxid: string | null; threepids: T3[]; data_inside_other_rows_sgAssoc?: unknown[] }[] }).subjects;
// Someone no other person's row embeds: re-issuing bystanders needs a running Sydent (the live suite covers it).
const person = people.find((s) => s.mxid && s.threepids.length === 1 && s.threepids[0].medium === "email" && s.threepids[0].state === "bound" && s.threepids[0].origin === "is1" && (s.data_inside_other_rows_sgAssoc ?? []).length === 0)!;
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
const globalRows = (i: Instance) => {
  const d = new Database(files[i], { readonly: true });
  try {
    return (d.prepare("SELECT count(*) AS n FROM global_threepid_associations WHERE medium = 'email' AND address = ?").get(email) as { n: number }).n;
  } finally {
    d.close();
  }
};
async function staff(role: string) {
  const s = await seedEnrolledStaff({ role });
  const code = async () => (await db().staff.update({ where: { id: s.staff.id }, data: { totpLastStep: null } }), totpCode(s.totpSecret));
  return { ...s, code };
}

describe("erasure and package review from the command line", () => {
  it("prepare, refuse support as approver, approve with the typed masked identifier and --code, execute: gone from both servers", { timeout: 120_000 }, async () => {
    const support = await staff("support");
    const dpo = await staff("dpo");
    const dpo2 = await staff("dpo");
    expect(globalRows("is1") + globalRows("is2")).toBeGreaterThan(0);
    const req = await runCli(createRequest, "--operator", support.email, "--type", "erasure", "--requester-name", "A Person", "--requester-contact", email,
      "--channel", "email", "--identification", "bound_address_reply");
    const ref = (req.json.request as { reference: string }).reference;
    expect((await runCli(prepare, "--operator", support.email, "--request", ref, "--reason", "own_request")).json).toMatchObject({ ok: false, code: "invalid", message: expect.stringMatching(/Link the person/) });
    expect((await runCli(link, "--operator", support.email, "--request", ref, "--email", email)).code).toBe(0);
    expect((await runCli(prepare, "--operator", support.email, "--request", ref, "--reason", "because")).code).toBe(2);
    const p = await runCli(prepare, "--operator", support.email, "--request", ref, "--reason", "own_request");
    expect(p.json, JSON.stringify(p.json)).toMatchObject({ ok: true, created: true, nothingHeld: false });
    const jobId = p.json.jobId as string;
    expect((await runCli(prepare, "--operator", support.email, "--request", ref, "--reason", "own_request")).json).toMatchObject({ ok: true, created: false, jobId });

    const pv = await runCli(preview, "--operator", dpo.email, "--request", ref);
    const masked = (pv.json.jobs as { masked: string }[])[0].masked;
    expect(masked).toContain("•");
    expect(JSON.stringify(pv.json)).not.toContain(email);

    expect((await runCli(approve, "--operator", support.email, "--job", jobId, "--confirm", masked, "--code", await support.code())).code).toBe(2); // support cannot approve
    const noCode = await runCli(approve, "--operator", dpo.email, "--job", jobId, "--confirm", masked);
    expect(noCode.code).toBe(1);
    const wrong = await runCli(approve, "--operator", dpo.email, "--job", jobId, "--confirm", email, "--code", await dpo.code());
    expect(wrong.json).toMatchObject({ ok: false, code: "invalid" });
    expect((await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } })).state).toBe("awaiting_approval");
    expect((await runCli(execute, "--operator", dpo2.email, "--job", jobId, "--code", await dpo2.code())).code).toBe(1); // not approved yet
    const ok = await runCli(approve, "--operator", dpo.email, "--job", jobId, "--confirm", masked.replace(/•/g, "*"), "--code", await dpo.code());
    expect(ok.json).toMatchObject({ ok: true, state: "approved" });

    const run = await runCli(execute, "--operator", dpo2.email, "--job", jobId, "--code", await dpo2.code());
    expect(run.code, JSON.stringify(run.json)).toBe(0);
    expect([globalRows("is1"), globalRows("is2")]).toEqual([0, 0]);
    const actions = (await db().accessLogEntry.findMany({ where: { requestId: (await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } })).requestId }, orderBy: { seq: "asc" } })).map((e) => `${e.action}:${e.outcome}`);
    expect(actions).toContain("erasure.request:ok");
    expect(actions).toContain("erasure.approve:invalid");
    expect(actions).toContain("erasure.approve:ok");
    // Only a job paused by a failed verification can be re-planned.
    const rp = await runCli(replan, "--operator", support.email, "--job", jobId);
    expect(rp).toMatchObject({ code: 1, json: { ok: false } });
    expect((await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } })).state).not.toBe("awaiting_approval");
  });

  it("package:review lists the files as released (hash checked), prints one with --file, and logs export.review; package:revoke withdraws it", async () => {
    const dpo = await staff("dpo");
    const dpo2 = await staff("dpo");
    const alice = exportSubjects.find((s) => s.key === "alice")!;
    const aliceEmail = alice.threepids[0].address;
    const req = await runCli(createRequest, "--operator", dpo.email, "--type", "access", "--requester-name", "Alice", "--requester-contact", aliceEmail, "--channel", "email", "--identification", "bound_address_reply");
    const { id: requestId, reference } = req.json.request as { id: string; reference: string };
    expect((await runCli(link, "--operator", dpo.email, "--request", reference, "--email", aliceEmail)).code).toBe(0);
    const gen = await generatePackage({ id: dpo.staff.id, label: dpo.email, role: "dpo" }, requestId, "access", { find: async () => findingsFor(alice) });
    if (!gen.ok) throw new Error(gen.message);
    const r = await runCli(review, "--operator", dpo2.email, "--package", gen.packageId);
    expect(r.code, JSON.stringify(r.json)).toBe(0);
    expect(r.json).toMatchObject({ ok: true, matchesStoredZip: true, package: { state: "generated", mayApprove: true } });
    const names = (r.json.files as { name: string }[]).map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(["data.json", "guide.html", "manifest.json", "who-accessed.csv"]));
    expect(r.json.file).toBeUndefined();
    const one = await runCli(review, "--operator", dpo2.email, "--package", gen.packageId, "--file", "data.json");
    expect((one.json.file as { text: string }).text).toContain(aliceEmail);
    expect((await runCli(review, "--operator", dpo2.email, "--package", gen.packageId, "--file", "nope.txt")).code).toBe(2);
    expect((await runCli(review, "--operator", dpo.email, "--package", gen.packageId)).json).toMatchObject({ package: { mayApprove: false } });
    expect(await db().accessLogEntry.count({ where: { action: "export.review", requestId, actorLabel: `cli:${dpo2.email}` } })).toBeGreaterThanOrEqual(3);
    // Revoking withdraws it: the review then has no files; a second revoke is refused.
    expect((await runCli(revoke, "--operator", dpo.email, "--package", gen.packageId)).json).toMatchObject({ ok: true, state: "revoked" });
    expect((await runCli(review, "--operator", dpo2.email, "--package", gen.packageId)).json).toMatchObject({ ok: true, review: null, package: { state: "revoked" } });
    expect((await runCli(revoke, "--operator", dpo.email, "--package", gen.packageId)).code).toBe(1);
  });
});
