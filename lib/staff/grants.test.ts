import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { changeStaffRole, createStaff, reissueEnrolment } from "@/lib/staff/manage-staff";
import { cancelGrant, confirmGrant, pendingGrants } from "@/lib/staff/grants";
import { completeEnrolment, openEnrolment } from "@/lib/staff/enrolment";
import { signInWithCredentials } from "@/lib/auth/sign-in";
import { totpCode } from "@/lib/auth/totp";
import { seedEnrolledStaff } from "@/lib/auth/testing";

// Granting the dpo or admin role needs two admins: the first asks, a different one confirms and
// alone receives the enrolment link; the account's credentials are set up anew.

useTestConsoleDb();
const actorFor = (s: { id: string; email: string }) => ({ id: s.id, label: s.email, role: "admin" });
const web = { ip: "192.0.2.61", userAgent: "vitest" };
const t0 = new Date("2026-03-05T09:00:00Z");
const at = (min: number) => new Date(t0.getTime() + min * 60_000);

describe("privileged grants", () => {
  it("with one active admin, granting dpo is refused and nothing is created", async () => {
    const only = await seedEnrolledStaff({ role: "admin" });
    await expect(createStaff(actorFor(only.staff), { email: "solo.dpo@custodian.test", displayName: "Solo", role: "dpo" })).rejects.toThrow(/second active administrator/);
    expect(await db().staff.count({ where: { email: "solo.dpo@custodian.test" } })).toBe(0);
    const support = await seedEnrolledStaff({ role: "support" });
    await expect(changeStaffRole(actorFor(only.staff), { staffId: support.staff.id, role: "dpo" })).rejects.toThrow(/second active administrator/);
    // A lone admin cannot make a second admin in the console either (that needs the command line).
    await expect(changeStaffRole(actorFor(only.staff), { staffId: support.staff.id, role: "admin" })).rejects.toThrow(/second active administrator/);
    expect((await db().staff.findUniqueOrThrow({ where: { id: support.staff.id } })).role).toBe("support");
  });

  it("create as dpo: no link for the requester; another admin confirms and gets it; it enrols and signs in as dpo", async () => {
    const a = await seedEnrolledStaff({ role: "admin" });
    const b = await seedEnrolledStaff({ role: "admin" });
    const created = await createStaff(actorFor(a.staff), { email: "new.dpo@custodian.test", displayName: "New DPO", role: "dpo" }, at(0));
    expect(created.link).toBeNull();
    expect(created.token).toBeNull();
    const row = await db().staff.findUniqueOrThrow({ where: { id: created.staff.id } });
    expect(row.enrolTokenHash).toBeNull();
    const [g] = (await pendingGrants(db(), at(1))).filter((p) => p.staffId === created.staff.id);
    expect(g).toMatchObject({ seq: created.pendingGrant, kind: "create", role: "dpo", requestedById: a.staff.id });

    await expect(confirmGrant(actorFor(a.staff), g.seq, at(2))).rejects.toThrow(/different administrator/);
    const { link } = await confirmGrant(actorFor(b.staff), g.seq, at(2));
    const token = decodeURIComponent(link.split("#token=")[1]);
    await expect(confirmGrant(actorFor(b.staff), g.seq, at(3))).rejects.toThrow(/no longer pending/);
    expect((await pendingGrants(db(), at(3))).some((p) => p.seq === g.seq)).toBe(false);

    const { secret } = (await openEnrolment(token, at(4)))!;
    const done = await completeEnrolment({ token, password: "a long enough passphrase", code: totpCode(secret, at(4)) }, web, at(4));
    expect(done.ok).toBe(true);
    const signIn = await signInWithCredentials({ email: "new.dpo@custodian.test", password: "a long enough passphrase", code: totpCode(secret, at(6)) }, { ...web, now: at(6) });
    expect(signIn.ok && signIn.staff.role).toBe("dpo");
    const log = await db().accessLogEntry.findMany({ where: { targetRef: created.staff.id }, orderBy: { seq: "asc" } });
    expect(log.map((e) => [e.action, e.actorId])).toEqual([
      ["staff.create", a.staff.id],
      ["staff.grant.request", a.staff.id],
      ["staff.grant.confirm", b.staff.id],
      ["staff.enrol", created.staff.id],
      ["auth.signin", created.staff.id],
    ]);
  });

  it("change to dpo: only on confirmation, with credentials set up anew (no earlier enrolment keeps the role)", async () => {
    const a = await seedEnrolledStaff({ role: "admin" });
    const b = await seedEnrolledStaff({ role: "admin" });
    const s = await seedEnrolledStaff({ role: "support" });
    const { pendingGrant } = await changeStaffRole(actorFor(a.staff), { staffId: s.staff.id, role: "dpo" });
    expect(pendingGrant).not.toBeNull();
    expect((await db().staff.findUniqueOrThrow({ where: { id: s.staff.id } })).role).toBe("support");
    await expect(confirmGrant(actorFor(s.staff), pendingGrant!, at(1))).rejects.toThrow(/your own account/);
    const { link } = await confirmGrant(actorFor(b.staff), pendingGrant!, at(1));
    expect(link).toContain("/enrol#token=");
    const row = await db().staff.findUniqueOrThrow({ where: { id: s.staff.id } });
    expect(row).toMatchObject({ role: "dpo", totpEnrolledAt: null, totpSecretEnc: null });
    expect(await db().recoveryCode.count({ where: { staffId: s.staff.id } })).toBe(0);
    const old = await signInWithCredentials({ email: s.email, password: s.password, code: totpCode(s.totpSecret, at(2)) }, { ...web, now: at(2) });
    expect(old.ok).toBe(false);
  });

  it("re-issuing a dpo's enrolment is a request; a stale request (role changed since) is refused; cancel closes it", async () => {
    const a = await seedEnrolledStaff({ role: "admin" });
    const b = await seedEnrolledStaff({ role: "admin" });
    const d = await seedEnrolledStaff({ role: "dpo" });
    const r = await reissueEnrolment(actorFor(a.staff), d.staff.id, at(0));
    expect(r).toMatchObject({ link: null, token: null });
    expect((await db().staff.findUniqueOrThrow({ where: { id: d.staff.id } })).totpEnrolledAt).not.toBeNull(); // nothing reset yet
    await changeStaffRole(actorFor(b.staff), { staffId: d.staff.id, role: "auditor" });
    await expect(confirmGrant(actorFor(b.staff), r.pendingGrant!, at(1))).rejects.toThrow(/role changed/);
    await cancelGrant(actorFor(a.staff), r.pendingGrant!, at(2));
    expect((await pendingGrants(db(), at(2))).some((p) => p.seq === r.pendingGrant)).toBe(false);
    const cancel = await db().accessLogEntry.findFirstOrThrow({ where: { action: "staff.grant.cancel", targetRef: d.staff.id } });
    expect(JSON.parse(cancel.details!)).toMatchObject({ requestSeq: r.pendingGrant });
  });

  it("two admins confirming the same request at once: exactly one wins", async () => {
    const a = await seedEnrolledStaff({ role: "admin" });
    const b = await seedEnrolledStaff({ role: "admin" });
    const c = await seedEnrolledStaff({ role: "admin" });
    const { pendingGrant } = await createStaff(actorFor(a.staff), { email: "race.dpo@custodian.test", displayName: "Race", role: "dpo" });
    const results = await Promise.allSettled([confirmGrant(actorFor(b.staff), pendingGrant!), confirmGrant(actorFor(c.staff), pendingGrant!)]);
    expect(results.filter((x) => x.status === "fulfilled")).toHaveLength(1);
    expect(await db().accessLogEntry.count({ where: { action: "staff.grant.confirm", targetRef: { not: null }, details: { contains: `"requestSeq":${pendingGrant}` } } })).toBe(1);
  });

  it("requests lapse after 72 hours", async () => {
    const a = await seedEnrolledStaff({ role: "admin" });
    const b = await seedEnrolledStaff({ role: "admin" });
    const { pendingGrant } = await createStaff(actorFor(a.staff), { email: "lapse.dpo@custodian.test", displayName: "Lapse", role: "dpo" }, new Date());
    await expect(confirmGrant(actorFor(b.staff), pendingGrant!, new Date(Date.now() + 73 * 3_600_000))).rejects.toThrow(/no longer pending/);
  });
});
