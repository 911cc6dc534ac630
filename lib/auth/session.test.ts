import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { resolveStaffSession, signOutSession } from "@/lib/auth/session";
import { signInWithCredentials } from "@/lib/auth/sign-in";
import { totpCode } from "@/lib/auth/totp";
import { seedEnrolledStaff } from "@/lib/auth/testing";
import { disableStaff } from "@/lib/staff/manage-staff";

useTestConsoleDb();
const t0 = new Date("2026-03-03T08:00:00Z");
const at = (min: number) => new Date(t0.getTime() + min * 60_000);
const admin = { id: "admin-actor", label: "admin@custodian.test", role: "admin" };

async function signedIn(now: Date) {
  const s = await seedEnrolledStaff();
  const r = await signInWithCredentials({ email: s.email, password: s.password, code: totpCode(s.totpSecret, now) }, { ip: "192.0.2.50", userAgent: "vitest", now });
  if (!r.ok) throw new Error(r.message);
  return { ...s, sid: r.sessionId };
}

describe("resolveStaffSession (loaded fresh on every request)", () => {
  it("keeps an active session alive and ends it after 30 idle minutes", async () => {
    const s = await signedIn(at(0));
    expect((await resolveStaffSession(s.sid, at(25))).ok).toBe(true);
    expect((await db().staffSession.findUniqueOrThrow({ where: { id: s.sid } })).lastSeenAt).toEqual(at(25));
    expect((await resolveStaffSession(s.sid, at(50))).ok).toBe(true);
    expect(await resolveStaffSession(s.sid, at(81))).toEqual({ ok: false, reason: "idle" });
  });

  it("ends a session at 12 hours however active it is", async () => {
    const s = await signedIn(at(0));
    for (let m = 20; m < 720; m += 20) expect((await resolveStaffSession(s.sid, at(m))).ok).toBe(true);
    expect(await resolveStaffSession(s.sid, at(720))).toEqual({ ok: false, reason: "expired" });
  });

  it("polling (activity: false) checks the session but does not keep it alive", async () => {
    const s = await signedIn(at(0));
    for (let m = 2; m < 30; m += 2) expect((await resolveStaffSession(s.sid, at(m), { activity: false })).ok).toBe(true);
    expect((await db().staffSession.findUniqueOrThrow({ where: { id: s.sid } })).lastSeenAt).toEqual(at(0));
    expect(await resolveStaffSession(s.sid, at(31), { activity: false })).toEqual({ ok: false, reason: "idle" });
  });

  it("writes lastSeenAt at most once a minute", async () => {
    const s = await signedIn(at(0));
    await resolveStaffSession(s.sid, at(0.5));
    expect((await db().staffSession.findUniqueOrThrow({ where: { id: s.sid } })).lastSeenAt).toEqual(at(0));
  });

  it("refuses a disabled account on its next request; disabling revokes its sessions", async () => {
    const s = await signedIn(at(0));
    const other = await signInWithCredentials({ email: s.email, password: s.password, code: s.recoveryCodes[0] }, { ip: "192.0.2.51", userAgent: null, now: at(1) });
    expect(other.ok).toBe(true);
    await seedEnrolledStaff({ role: "admin" }); // so disabling never trips the last-admin rule
    await disableStaff(admin, s.staff.id, at(2));
    expect(await resolveStaffSession(s.sid, at(3))).toEqual({ ok: false, reason: "disabled" });
    const rows = await db().staffSession.findMany({ where: { staffId: s.staff.id } });
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.revokedAt).toEqual(at(2));
  });

  it("sign-out revokes the session and logs auth.signout once", async () => {
    const s = await signedIn(at(0));
    expect(await signOutSession(s.sid, null, at(5))).toBe(true);
    expect(await signOutSession(s.sid, null, at(6))).toBe(false);
    expect(await resolveStaffSession(s.sid, at(7))).toEqual({ ok: false, reason: "signed-out" });
    const logs = await db().accessLogEntry.findMany({ where: { action: "auth.signout", targetRef: s.staff.id } });
    expect(logs).toHaveLength(1);
    expect(await resolveStaffSession("no-such-session", at(7))).toEqual({ ok: false, reason: "signed-out" });
    expect(await resolveStaffSession(undefined, at(7))).toEqual({ ok: false, reason: "none" });
  });
});
