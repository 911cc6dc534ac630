import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { INVALID_CREDENTIALS_MESSAGE, signInWithCredentials } from "@/lib/auth/sign-in";
import { totpCode } from "@/lib/auth/totp";
import { seedEnrolledStaff } from "@/lib/auth/testing";

useTestConsoleDb();
let clock = new Date("2026-03-02T09:00:00Z").getTime();
/** Each call moves the clock on by a minute, so every attempt gets a fresh TOTP step. */
const tick = (ms = 60_000) => new Date((clock += ms));
const client = (ip: string, now = tick()) => ({ ip, userAgent: "vitest", now });

describe("signInWithCredentials", () => {
  it("signs in with password + current TOTP code and opens a 12-hour StaffSession", async () => {
    const s = await seedEnrolledStaff({ role: "dpo" });
    const now = tick();
    const r = await signInWithCredentials({ email: s.email.toUpperCase(), password: s.password, code: totpCode(s.totpSecret, now) }, client("192.0.2.1", now));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.staff).toMatchObject({ id: s.staff.id, role: "dpo" });
    const row = await db().staffSession.findUniqueOrThrow({ where: { id: r.sessionId } });
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(12 * 3_600_000);
    expect(row.ip).toBe("192.0.2.1");
  });

  it("gives one message for a wrong password, a wrong code and an unknown account", async () => {
    const s = await seedEnrolledStaff();
    const wrongPw = await signInWithCredentials({ email: s.email, password: "nope nope nope", code: totpCode(s.totpSecret, new Date(clock + 60_000)) }, client("192.0.2.2"));
    const wrongCode = await signInWithCredentials({ email: s.email, password: s.password, code: "000000" }, client("192.0.2.2"));
    const unknown = await signInWithCredentials({ email: "nobody@custodian.test", password: s.password, code: "123456" }, client("192.0.2.2"));
    for (const r of [wrongPw, wrongCode, unknown]) expect(r).toMatchObject({ ok: false, message: INVALID_CREDENTIALS_MESSAGE });
  });

  it("refuses a TOTP code that was already used", async () => {
    const s = await seedEnrolledStaff();
    const now = tick();
    const code = totpCode(s.totpSecret, now);
    const first = await signInWithCredentials({ email: s.email, password: s.password, code }, client("192.0.2.3", now));
    expect(first.ok).toBe(true);
    const row = await db().staff.findUniqueOrThrow({ where: { email: s.email } });
    expect(row.totpLastStep).toBe(Math.floor(now.getTime() / 30_000));
    const again = await signInWithCredentials({ email: s.email, password: s.password, code }, client("192.0.2.3", new Date(now.getTime() + 5_000)));
    expect(again).toMatchObject({ ok: false, reason: "code-reused", message: INVALID_CREDENTIALS_MESSAGE });
  });

  it("accepts each recovery code once, and only with the right password", async () => {
    const s = await seedEnrolledStaff();
    const code = s.recoveryCodes[3];
    const badPw = await signInWithCredentials({ email: s.email, password: "wrong password!", code }, client("192.0.2.4"));
    expect(badPw.ok).toBe(false);
    const first = await signInWithCredentials({ email: s.email, password: s.password, code: code.toUpperCase() }, client("192.0.2.4"));
    expect(first.ok).toBe(true);
    const second = await signInWithCredentials({ email: s.email, password: s.password, code }, client("192.0.2.4"));
    expect(second).toMatchObject({ ok: false, reason: "bad-code" });
    expect(await db().recoveryCode.count({ where: { staffId: s.staff.id, usedAt: null } })).toBe(9);
  });

  it("refuses a disabled account and one that has not finished enrolment, even with right credentials", async () => {
    const s = await seedEnrolledStaff();
    await db().staff.update({ where: { id: s.staff.id }, data: { disabledAt: new Date(clock) } });
    const now = tick();
    expect(await signInWithCredentials({ email: s.email, password: s.password, code: totpCode(s.totpSecret, now) }, client("192.0.2.5", now)))
      .toMatchObject({ ok: false, reason: "disabled", message: INVALID_CREDENTIALS_MESSAGE });
    const p = await seedEnrolledStaff();
    await db().staff.update({ where: { id: p.staff.id }, data: { totpEnrolledAt: null } });
    const later = tick();
    expect(await signInWithCredentials({ email: p.email, password: p.password, code: totpCode(p.totpSecret, later) }, client("192.0.2.5", later)))
      .toMatchObject({ ok: false, reason: "not-enrolled" });
  });
});

describe("throttling", () => {
  it("after five failures the account is throttled for 15 minutes, even for the right password", async () => {
    const s = await seedEnrolledStaff();
    for (let i = 0; i < 5; i++) {
      // Different addresses: the account alone triggers the throttle.
      const r = await signInWithCredentials({ email: s.email, password: `guess ${i} guess`, code: "111111" }, client(`198.51.100.${i + 1}`));
      expect(r).toMatchObject({ ok: false, message: INVALID_CREDENTIALS_MESSAGE });
    }
    const now = tick(); // one minute after the fifth failure
    const right = await signInWithCredentials({ email: s.email, password: s.password, code: totpCode(s.totpSecret, now) }, client("198.51.100.99", now));
    expect(right).toMatchObject({ ok: false, reason: "throttled", message: "Too many failed sign-in attempts; try again in 14 minutes." });
    const after = tick(14 * 60_000);
    const ok = await signInWithCredentials({ email: s.email, password: s.password, code: totpCode(s.totpSecret, after) }, client("198.51.100.99", after));
    expect(ok.ok).toBe(true);
  });

  it("after five failures from one address, that address is throttled for every account", async () => {
    const victim = await seedEnrolledStaff();
    for (let i = 0; i < 5; i++) {
      await signInWithCredentials({ email: `guess${i}@custodian.test`, password: "password guess", code: "222222" }, client("203.0.113.9"));
    }
    const now = tick();
    const r = await signInWithCredentials({ email: victim.email, password: victim.password, code: totpCode(victim.totpSecret, now) }, client("203.0.113.9", now));
    expect(r).toMatchObject({ ok: false, reason: "throttled" });
    expect(r.ok === false && r.message).toMatch(/^Too many failed sign-in attempts; try again in \d+ minutes?\.$/);
    const elsewhere = tick();
    const ok = await signInWithCredentials({ email: victim.email, password: victim.password, code: totpCode(victim.totpSecret, elsewhere) }, client("203.0.113.10", elsewhere));
    expect(ok.ok).toBe(true);
  });

  it("parallel attempts cannot get more than five guesses past the throttle", async () => {
    const s = await seedEnrolledStaff();
    const now = tick();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        signInWithCredentials({ email: s.email, password: `parallel guess ${i}`, code: "444444" }, client(`198.51.100.${120 + i}`, now)),
      ),
    );
    expect(results.every((r) => !r.ok)).toBe(true);
    const checked = results.filter((r) => !r.ok && r.reason !== "throttled").length;
    // Each attempt is recorded before its throttle check, so every check sees the attempts recorded
    // before it: at most five get past (possibly none, when all are recorded before any check).
    expect(checked).toBeLessThanOrEqual(5);
    expect(await db().loginAttempt.count({ where: { email: s.email } })).toBe(12);
    const later = tick();
    const right = await signInWithCredentials({ email: s.email, password: s.password, code: totpCode(s.totpSecret, later) }, client("198.51.100.199", later));
    expect(right).toMatchObject({ ok: false, reason: "throttled" });
  });

  it("does not throttle the shared 'unknown' address (only the account)", async () => {
    const s = await seedEnrolledStaff();
    for (let i = 0; i < 6; i++) await signInWithCredentials({ email: `x${i}@custodian.test`, password: "password guess", code: "333333" }, client("unknown"));
    const now = tick();
    expect((await signInWithCredentials({ email: s.email, password: s.password, code: totpCode(s.totpSecret, now) }, client("unknown", now))).ok).toBe(true);
  });
});

describe("audit of sign-in attempts", () => {
  it("every attempt has a LoginAttempt row and an auth.signin entry, and no password anywhere", async () => {
    const attempts = await db().loginAttempt.count();
    const entries = await db().accessLogEntry.findMany({ where: { action: "auth.signin" } });
    expect(entries.length).toBe(attempts);
    expect(entries.filter((e) => e.outcome === "ok").length).toBe(await db().loginAttempt.count({ where: { success: true } }));
    const all = JSON.stringify(await db().accessLogEntry.findMany()) + JSON.stringify(await db().loginAttempt.findMany());
    for (const secret of ["correct horse battery staple", "guess 0 guess", "password guess", "nope nope nope"]) expect(all).not.toContain(secret);
    const throttled = entries.find((e) => e.details?.includes("throttled"));
    expect(throttled).toMatchObject({ outcome: "denied", targetType: "staff" });
    const unknown = entries.find((e) => e.details?.includes("unknown-account"));
    expect(unknown).toMatchObject({ outcome: "denied", targetType: null, actorLabel: "anonymous" });
  });
});
