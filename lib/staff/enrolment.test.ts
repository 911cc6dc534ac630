import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { createStaff, reissueEnrolment } from "@/lib/staff/manage-staff";
import { completeEnrolment, findPendingEnrolment } from "@/lib/staff/enrolment";
import { generateTotpSecret, totpCode } from "@/lib/auth/totp";
import { signInWithCredentials } from "@/lib/auth/sign-in";
import { seedEnrolledStaff } from "@/lib/auth/testing";

const ctx = useTestConsoleDb();
const admin = { id: "admin-actor", label: "admin@custodian.test", role: "admin" };
const t0 = new Date("2026-03-04T09:00:00Z");
const at = (min: number) => new Date(t0.getTime() + min * 60_000);
const web = { ip: "192.0.2.60", userAgent: "vitest" };
const password = "a long enough passphrase";

describe("enrolment", () => {
  it("creates an account that cannot sign in until enrolment is completed, then can", async () => {
    expect(ctx.current.url).toBeTruthy();
    await seedEnrolledStaff({ role: "admin" });
    const { staff, token, link } = await createStaff(admin, { email: "new.dpo@custodian.test", displayName: "New DPO", role: "dpo" }, at(0));
    expect(link).toContain(`/enrol?token=${token}`);
    const row = await db().staff.findUniqueOrThrow({ where: { id: staff.id } });
    expect(row.enrolTokenHash).not.toContain(token);
    expect(row.enrolTokenExpires).toEqual(at(72 * 60));
    expect(await db().accessLogEntry.count({ where: { action: "staff.create", targetRef: staff.id } })).toBe(1);

    const before = await signInWithCredentials({ email: "new.dpo@custodian.test", password: "", code: "123456" }, { ...web, now: at(1) });
    expect(before.ok).toBe(false);

    const secret = generateTotpSecret();
    const wrong = await completeEnrolment({ token, secret, password, code: "000000" }, web, at(2));
    expect(wrong).toMatchObject({ ok: false, field: "code" });
    const done = await completeEnrolment({ token, secret, password, code: totpCode(secret, at(2)) }, web, at(2));
    expect(done.ok && done.recoveryCodes).toHaveLength(10);

    const again = await completeEnrolment({ token, secret, password: "another long passphrase", code: totpCode(secret, at(3)) }, web, at(3));
    expect(again).toMatchObject({ ok: false });
    expect(await findPendingEnrolment(token, at(3))).toBeNull();

    const signIn = await signInWithCredentials({ email: "new.dpo@custodian.test", password, code: totpCode(secret, at(4)) }, { ...web, now: at(4) });
    expect(signIn.ok).toBe(true);
  });

  it("an enrolment link expires after 72 hours", async () => {
    const { token } = await createStaff(admin, { email: "late@custodian.test", displayName: "Late", role: "support" }, at(0));
    expect(await findPendingEnrolment(token, at(72 * 60 - 1))).not.toBeNull();
    expect(await findPendingEnrolment(token, at(72 * 60))).toBeNull();
    const secret = generateTotpSecret();
    const late = at(72 * 60 + 1);
    expect(await completeEnrolment({ token, secret, password, code: totpCode(secret, late) }, web, late)).toMatchObject({ ok: false });
  });

  it("re-issuing enrolment resets password, TOTP and recovery codes and ends sessions", async () => {
    const s = await seedEnrolledStaff({ role: "auditor" });
    const r = await signInWithCredentials({ email: s.email, password: s.password, code: totpCode(s.totpSecret, at(10)) }, { ...web, now: at(10) });
    expect(r.ok).toBe(true);
    const { token } = await reissueEnrolment(admin, s.staff.id, at(11));
    const row = await db().staff.findUniqueOrThrow({ where: { id: s.staff.id } });
    expect(row).toMatchObject({ totpSecretEnc: null, totpEnrolledAt: null });
    expect(await db().recoveryCode.count({ where: { staffId: s.staff.id } })).toBe(0);
    expect(await db().staffSession.count({ where: { staffId: s.staff.id, revokedAt: null } })).toBe(0);
    const old = await signInWithCredentials({ email: s.email, password: s.password, code: totpCode(s.totpSecret, at(12)) }, { ...web, now: at(12) });
    expect(old.ok).toBe(false);
    expect(await findPendingEnrolment(token, at(12))).toMatchObject({ staffId: s.staff.id });
  });

  it("rejects a duplicate e-mail", async () => {
    await expect(createStaff(admin, { email: "late@custodian.test", displayName: "Dup", role: "dpo" })).rejects.toThrow(/already exists/);
  });
});
