import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { totpCode } from "@/lib/auth/totp";
import { seedEnrolledStaff } from "@/lib/auth/testing";
import { runCli } from "@/lib/cli/testing";
import { useTestConsoleDb } from "@/lib/test/console-db";
import create from "@/lib/cli/commands/staff-create";
import disable from "@/lib/cli/commands/staff-disable";
import grants from "@/lib/cli/commands/staff-grants";
import cancel from "@/lib/cli/commands/staff-grant-cancel";
import confirm from "@/lib/cli/commands/staff-grant-confirm";
import reissue from "@/lib/cli/commands/staff-reissue";
import role from "@/lib/cli/commands/staff-role";

// Staff administration from the command line, with the Staff page's rules (lib/staff): any role
// can be created, but dpo/admin only through a grant that a second admin confirms with --code.

useTestConsoleDb();
const uniq = () => Math.random().toString(36).slice(2, 8);
async function admin() {
  const a = await seedEnrolledStaff({ role: "admin" });
  // A code works once: forgetting the last used step stands in for waiting 30 s for the next one.
  const code = async () => (await db().staff.update({ where: { id: a.staff.id }, data: { totpLastStep: null } }), totpCode(a.totpSecret));
  return { ...a, code };
}

describe("staff commands", () => {
  it("staff:create gives a support account its enrolment link at once, logged as staff.create; bad input creates nothing", async () => {
    const a = await admin();
    const email = `support-${uniq()}@custodian.test`;
    const r = await runCli(create, "--operator", a.email, "--email", email.toUpperCase(), "--name", "New Support", "--role", "support");
    expect(r.code, JSON.stringify(r.json)).toBe(0);
    expect(r.json).toMatchObject({ ok: true, email, role: "support", pendingGrant: null, enrolmentLink: expect.stringMatching(/\/enrol#token=/) });
    expect(await db().accessLogEntry.findFirst({ where: { action: "staff.create", targetRef: r.json.staffId as string } })).toMatchObject({ actorLabel: `cli:${a.email}` });
    const n = await db().staff.count();
    const bad = await runCli(create, "--operator", a.email, "--email", "not-an-email", "--name", "", "--role", "boss");
    expect(bad.code).toBe(2);
    expect(Object.keys(bad.json.errors as object).sort()).toEqual(["displayName", "email", "role"]);
    expect((await runCli(create, "--operator", a.email, "--email", email, "--name", "Again", "--role", "auditor")).json).toMatchObject({ ok: false, message: expect.stringMatching(/already exists/) });
    expect(await db().staff.count()).toBe(n);
  });

  it("a DPO account needs a second admin: request, then confirm with --code (not by the requester); only the confirmer gets the link", async () => {
    const a = await admin();
    const b = await admin();
    const email = `dpo-${uniq()}@custodian.test`;
    const r = await runCli(create, "--operator", a.email, "--email", email, "--name", "New DPO", "--role", "dpo");
    expect(r.json).toMatchObject({ ok: true, enrolmentLink: null, pendingGrant: expect.any(Number) });
    const seq = String(r.json.pendingGrant);
    const list = await runCli(grants, "--operator", b.email);
    expect(list.json.grants).toContainEqual(expect.objectContaining({ seq: Number(seq), staff: email, role: "dpo", kind: "create" }));

    const noCode = await runCli(confirm, "--operator", b.email, "--seq", seq);
    expect(noCode.code).toBe(1);
    expect(noCode.stderr).toContain("--code");
    const self = await runCli(confirm, "--operator", a.email, "--seq", seq, "--code", await a.code());
    expect(self).toMatchObject({ code: 1, json: { ok: false } });
    const ok = await runCli(confirm, "--operator", b.email, "--seq", seq, "--code", await b.code());
    expect(ok.code, JSON.stringify(ok.json)).toBe(0);
    expect(ok.json.enrolmentLink).toMatch(/\/enrol#token=/);
    expect((await db().staff.findUniqueOrThrow({ where: { email } })).role).toBe("dpo");
    expect((await runCli(grants, "--operator", b.email)).json.grants).not.toContainEqual(expect.objectContaining({ seq: Number(seq) }));
  });

  it("staff:role: to auditor at once; to admin only as a request, which either admin can cancel; never one's own role", async () => {
    const a = await admin();
    await admin();
    const s = await seedEnrolledStaff({ role: "support" });
    expect((await runCli(role, "--operator", a.email, "--staff", s.email, "--role", "auditor")).json).toMatchObject({ ok: true, changed: true, role: "auditor" });
    expect((await db().staff.findUniqueOrThrow({ where: { id: s.staff.id } })).role).toBe("auditor");
    const up = await runCli(role, "--operator", a.email, "--staff", s.email, "--role", "admin");
    expect(up.json).toMatchObject({ ok: true, changed: false, pendingGrant: expect.any(Number) });
    expect((await db().staff.findUniqueOrThrow({ where: { id: s.staff.id } })).role).toBe("auditor");
    expect((await runCli(cancel, "--operator", a.email, "--seq", String(up.json.pendingGrant))).json).toMatchObject({ ok: true, cancelled: true });
    const own = await runCli(role, "--operator", a.email, "--staff", a.email, "--role", "support");
    expect(own).toMatchObject({ code: 1, json: { ok: false, message: expect.stringMatching(/your own role/) } });
    expect((await runCli(role, "--operator", s.email, "--staff", a.email, "--role", "support")).code).toBe(2); // an auditor lacks staff.manage
  });

  it("staff:disable ends the account's access, never one's own; --enable brings it back; reissue prints a new link", async () => {
    const a = await admin();
    const s = await seedEnrolledStaff({ role: "support" });
    const d = await runCli(disable, "--operator", a.email, "--staff", s.email);
    expect(d.json).toMatchObject({ ok: true, disabled: true });
    expect((await db().staff.findUniqueOrThrow({ where: { id: s.staff.id } })).disabledAt).not.toBeNull();
    expect((await runCli(disable, "--operator", a.email, "--staff", a.email)).json).toMatchObject({ ok: false, message: expect.stringMatching(/your own account/) });
    expect((await runCli(disable, "--operator", a.email, "--staff", s.email, "--enable")).json).toMatchObject({ ok: true, disabled: false });
    expect((await db().staff.findUniqueOrThrow({ where: { id: s.staff.id } })).disabledAt).toBeNull();
    const r = await runCli(reissue, "--operator", a.email, "--staff", s.email);
    expect(r.json).toMatchObject({ ok: true, enrolmentLink: expect.stringMatching(/\/enrol#token=/) });
    expect((await db().staff.findUniqueOrThrow({ where: { id: s.staff.id } })).totpEnrolledAt).toBeNull();
  });
});
