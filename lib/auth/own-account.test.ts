import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { verifyPassword } from "@/lib/auth/password";
import { changeOwnPassword, endOwnSessions, listOwnSessions, sessionHandle } from "@/lib/auth/own-account";
import { seedEnrolledStaff } from "@/lib/auth/testing";
import { totpCode } from "@/lib/auth/totp";
import { useTestConsoleDb } from "@/lib/test/console-db";

// One's own account: password change needs the current password and a fresh code (other
// sessions end); sessions are listed by a one-way handle and can be ended, only one's own.

useTestConsoleDb();
const t0 = new Date();
const later = (s: number) => new Date(t0.getTime() + s * 1000);

async function session(staffId: string, id: string, at = t0) {
  return db().staffSession.create({ data: { id, staffId, createdAt: at, lastSeenAt: at, expiresAt: new Date(at.getTime() + 3_600_000), ip: "192.0.2.7", userAgent: "test" } });
}

describe("own account", () => {
  it("changes the password only with the current password and a fresh code; other sessions end", async () => {
    const me = await seedEnrolledStaff({ role: "support" });
    await session(me.staff.id, `cur-${me.staff.id}`);
    await session(me.staff.id, `other-${me.staff.id}`);
    const actor = { id: me.staff.id, label: me.email, role: "support" };
    const input = (o: Record<string, string>) => ({ current: me.password, password: "a brand new passphrase", confirmPassword: "a brand new passphrase", code: totpCode(me.totpSecret, later(0)), ...o });

    expect(await changeOwnPassword(actor, `cur-${me.staff.id}`, input({ current: "wrong password!" }), later(0))).toMatchObject({ ok: false, errors: { current: [expect.stringMatching(/not correct/)] } });
    expect(await changeOwnPassword(actor, `cur-${me.staff.id}`, input({ code: "000000" === totpCode(me.totpSecret, later(0)) ? "111111" : "000000" }), later(0))).toMatchObject({ ok: false, errors: { code: [expect.stringMatching(/does not match/)] } });
    expect(await changeOwnPassword(actor, `cur-${me.staff.id}`, input({ confirmPassword: "something else entirely" }), later(0))).toMatchObject({ ok: false, errors: { confirmPassword: expect.any(Array) } });
    const row = await db().staff.findUniqueOrThrow({ where: { id: me.staff.id } });
    expect(await verifyPassword(me.password, row.passwordHash)).toBe(true);

    expect(await changeOwnPassword(actor, `cur-${me.staff.id}`, input({}), later(0))).toMatchObject({ ok: true, message: /1 other session/ });
    const after = await db().staff.findUniqueOrThrow({ where: { id: me.staff.id } });
    expect(await verifyPassword("a brand new passphrase", after.passwordHash)).toBe(true);
    const sessions = await listOwnSessions(me.staff.id, `cur-${me.staff.id}`, later(1));
    expect(sessions.map((s) => s.current)).toEqual([true]);
    // The same code a second time: refused (it was claimed).
    expect(await changeOwnPassword(actor, `cur-${me.staff.id}`, input({ current: "a brand new passphrase", password: "yet another passphrase", confirmPassword: "yet another passphrase" }), later(1))).toMatchObject({ ok: false, errors: { code: [expect.stringMatching(/already used/)] } });
    const log = await db().accessLogEntry.findMany({ where: { action: "auth.password.change" }, orderBy: { seq: "asc" } });
    expect(log.map((e) => [e.outcome, JSON.parse(e.details!).reason ?? null])).toEqual([["denied", "bad-password"], ["denied", "bad-code"], ["ok", null], ["denied", "code-reused"]]);
  });

  it("lists only live sessions by handle and ends one's own sessions, never someone else's", async () => {
    const me = await seedEnrolledStaff({ role: "dpo" });
    const other = await seedEnrolledStaff({ role: "dpo" });
    await session(me.staff.id, `a-${me.staff.id}`);
    await session(me.staff.id, `b-${me.staff.id}`);
    await session(me.staff.id, `old-${me.staff.id}`, new Date(t0.getTime() - 20 * 3_600_000)); // expired
    await session(other.staff.id, `x-${other.staff.id}`);
    const actor = { id: me.staff.id, label: me.email, role: "dpo" };
    const list = await listOwnSessions(me.staff.id, `a-${me.staff.id}`, t0);
    expect(list).toHaveLength(2);
    expect(JSON.stringify(list)).not.toContain(`b-${me.staff.id}`); // ids never leave the server

    // Someone else's session handle does nothing.
    expect(await endOwnSessions(actor, `a-${me.staff.id}`, { handle: sessionHandle(`x-${other.staff.id}`) }, t0)).toMatchObject({ ok: false });
    expect((await db().staffSession.findUniqueOrThrow({ where: { id: `x-${other.staff.id}` } })).revokedAt).toBeNull();
    expect(await endOwnSessions(actor, `a-${me.staff.id}`, { handle: sessionHandle(`b-${me.staff.id}`) }, t0)).toMatchObject({ ok: true });
    expect((await listOwnSessions(me.staff.id, `a-${me.staff.id}`, t0)).map((s) => s.current)).toEqual([true]);
  });
});
