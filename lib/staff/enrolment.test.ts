import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { createStaff, reissueEnrolment } from "@/lib/staff/manage-staff";
import { completeEnrolment, findPendingEnrolment, openEnrolment } from "@/lib/staff/enrolment";
import { openTotpSecret, totpCode } from "@/lib/auth/totp";
import { signInWithCredentials } from "@/lib/auth/sign-in";
import { seedEnrolledStaff } from "@/lib/auth/testing";

useTestConsoleDb();
const admin = { id: "admin-actor", label: "admin@custodian.test", role: "admin" };
const t0 = new Date("2026-03-04T09:00:00Z");
const at = (min: number) => new Date(t0.getTime() + min * 60_000);
const web = { ip: "192.0.2.60", userAgent: "vitest" };
const password = "a long enough passphrase";

describe("enrolment", () => {
  it("creates an account that cannot sign in until enrolment is completed, then can", async () => {
    await seedEnrolledStaff({ role: "admin" });
    const created = await createStaff(admin, { email: "new.dpo@custodian.test", displayName: "New DPO", role: "support" }, at(0));
    const { staff } = created;
    const token = created.token!;
    expect(created.link).toContain(`/enrol#token=${token}`); // fragment: never sent to the server
    expect(created.link).not.toContain("?");
    const row = await db().staff.findUniqueOrThrow({ where: { id: staff.id } });
    expect(row.enrolTokenHash).not.toContain(token);
    expect(row.enrolTokenExpires).toEqual(at(72 * 60));
    expect(await db().accessLogEntry.count({ where: { action: "staff.create", targetRef: staff.id } })).toBe(1);

    const before = await signInWithCredentials({ email: "new.dpo@custodian.test", password: "", code: "123456" }, { ...web, now: at(1) });
    expect(before.ok).toBe(false);

    // The server makes the secret when the page is opened and stores it (encrypted) as pending.
    const opened = (await openEnrolment(token, at(1)))!;
    const pendingRow = await db().staff.findUniqueOrThrow({ where: { id: staff.id } });
    expect(pendingRow.totpEnrolledAt).toBeNull();
    expect(pendingRow.totpSecretEnc).not.toContain(opened.secret);
    expect(openTotpSecret(pendingRow.totpSecretEnc!)).toBe(opened.secret);
    expect((await openEnrolment(token, at(1.5)))!.secret).toBe(opened.secret); // a reload shows the same one
    const pendingSignIn = await signInWithCredentials({ email: "new.dpo@custodian.test", password: "", code: totpCode(opened.secret, at(1)) }, { ...web, now: at(1) });
    expect(pendingSignIn.ok).toBe(false);
    const secret = opened.secret;
    const wrong = await completeEnrolment({ token, password, code: "000000" }, web, at(2));
    expect(wrong).toMatchObject({ ok: false, field: "code" });
    // A secret chosen by the client is not an input any more: an extra field is ignored.
    const chosen = { token, password, code: totpCode(secret, at(2)), secret: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
    const done = await completeEnrolment(chosen, web, at(2));
    expect(done.ok && done.recoveryCodes).toHaveLength(10);

    expect(openTotpSecret((await db().staff.findUniqueOrThrow({ where: { id: staff.id } })).totpSecretEnc!)).toBe(secret);
    const again = await completeEnrolment({ token, password: "another long passphrase", code: totpCode(secret, at(3)) }, web, at(3));
    expect(again).toMatchObject({ ok: false });
    expect(await findPendingEnrolment(token, at(3))).toBeNull();

    const signIn = await signInWithCredentials({ email: "new.dpo@custodian.test", password, code: totpCode(secret, at(4)) }, { ...web, now: at(4) });
    expect(signIn.ok).toBe(true);
  });

  it("an enrolment link expires after 72 hours", async () => {
    const token = (await createStaff(admin, { email: "late@custodian.test", displayName: "Late", role: "support" }, at(0))).token!;
    const { secret } = (await openEnrolment(token, at(1)))!;
    expect(await findPendingEnrolment(token, at(72 * 60 - 1))).not.toBeNull();
    expect(await findPendingEnrolment(token, at(72 * 60))).toBeNull();
    expect(await openEnrolment(token, at(72 * 60))).toBeNull();
    const late = at(72 * 60 + 1);
    expect(await completeEnrolment({ token, password, code: totpCode(secret, late) }, web, late)).toMatchObject({ ok: false });
  });

  it("re-issuing enrolment resets password, TOTP and recovery codes and ends sessions", async () => {
    const s = await seedEnrolledStaff({ role: "auditor" });
    const r = await signInWithCredentials({ email: s.email, password: s.password, code: totpCode(s.totpSecret, at(10)) }, { ...web, now: at(10) });
    expect(r.ok).toBe(true);
    const token = (await reissueEnrolment(admin, s.staff.id, at(11))).token!;
    const row = await db().staff.findUniqueOrThrow({ where: { id: s.staff.id } });
    expect(row).toMatchObject({ totpSecretEnc: null, totpEnrolledAt: null });
    expect(await db().recoveryCode.count({ where: { staffId: s.staff.id } })).toBe(0);
    expect(await db().staffSession.count({ where: { staffId: s.staff.id, revokedAt: null } })).toBe(0);
    const old = await signInWithCredentials({ email: s.email, password: s.password, code: totpCode(s.totpSecret, at(12)) }, { ...web, now: at(12) });
    expect(old.ok).toBe(false);
    expect(await findPendingEnrolment(token, at(12))).toMatchObject({ staffId: s.staff.id });
  });

  it("rejects a duplicate e-mail", async () => {
    await expect(createStaff(admin, { email: "late@custodian.test", displayName: "Dup", role: "support" })).rejects.toThrow(/already exists/);
  });
});
