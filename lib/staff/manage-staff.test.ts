import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { changeStaffRole, disableStaff, enableStaff, reissueEnrolment } from "@/lib/staff/manage-staff";
import { createBootstrapAdmin } from "@/lib/staff/bootstrap";
import { signInWithCredentials } from "@/lib/auth/sign-in";
import { totpCode } from "@/lib/auth/totp";
import { seedEnrolledStaff } from "@/lib/auth/testing";

useTestConsoleDb();
const actorFor = (s: { id: string; email: string }) => ({ id: s.id, label: s.email, role: "admin" });

describe("last-admin protection and self-protection", () => {
  it("bootstraps the first admin from the CLI path, and refuses a second without an operator", async () => {
    const first = await createBootstrapAdmin({ email: "Root@Custodian.test", displayName: "Root" }, null);
    expect(first.email).toBe("root@custodian.test");
    expect(first.recoveryCodes).toHaveLength(10);
    expect(first.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const now = new Date();
    const r = await signInWithCredentials({ email: first.email, password: first.password, code: totpCode(first.totpSecret, now) }, { ip: "192.0.2.70", userAgent: null, now });
    expect(r.ok).toBe(true);
    const log = await db().accessLogEntry.findFirstOrThrow({ where: { action: "staff.create", targetRef: first.id } });
    expect(log.actorLabel).toBe("cli:root@custodian.test");
    expect(JSON.stringify(log)).not.toContain(first.password);
    await expect(createBootstrapAdmin({ email: "second@custodian.test", displayName: "Second" }, null)).rejects.toThrow(/--operator/);
    const second = await createBootstrapAdmin({ email: "second@custodian.test", displayName: "Second" }, { id: first.id, label: "cli:root@custodian.test", role: "admin" });
    await db().staff.delete({ where: { id: second.id } });
  });

  it("an admin cannot disable themselves", async () => {
    const root = await db().staff.findUniqueOrThrow({ where: { email: "root@custodian.test" } });
    await expect(disableStaff(actorFor(root), root.id)).rejects.toThrow(/your own account/);
    await expect(reissueEnrolment(actorFor(root), root.id)).rejects.toThrow(/another administrator/);
  });

  it("nobody changes their own role; the last active admin cannot be demoted", async () => {
    const root = await db().staff.findUniqueOrThrow({ where: { email: "root@custodian.test" } });
    await expect(changeStaffRole(actorFor(root), { staffId: root.id, role: "support" })).rejects.toThrow(/your own role/);
    await expect(changeStaffRole(actorFor(root), { staffId: root.id, role: "dpo" })).rejects.toThrow(/your own role/);
    expect((await db().staff.findUniqueOrThrow({ where: { id: root.id } })).role).toBe("admin");
    const other = await seedEnrolledStaff({ role: "admin" });
    expect(await changeStaffRole(actorFor(root), { staffId: other.staff.id, role: "support" })).toEqual({ pendingGrant: null });
    await expect(changeStaffRole(actorFor(other.staff), { staffId: root.id, role: "support" })).rejects.toThrow(/no active administrator/);
    expect((await db().staff.findUniqueOrThrow({ where: { id: root.id } })).role).toBe("admin");
    const entry = await db().accessLogEntry.findFirstOrThrow({ where: { action: "staff.role.change", targetRef: other.staff.id } });
    expect(JSON.parse(entry.details ?? "{}")).toEqual({ from: "admin", to: "support" });
  });

  it("the last active admin cannot be disabled by another (non-enrolled) admin; disable and enable are logged", async () => {
    const root = await db().staff.findUniqueOrThrow({ where: { email: "root@custodian.test" } });
    const helper = await seedEnrolledStaff({ role: "admin" });
    await db().staff.update({ where: { id: helper.staff.id }, data: { totpEnrolledAt: null } });
    await expect(disableStaff(actorFor(helper.staff), root.id)).rejects.toThrow(/no active administrator/);
    expect((await db().staff.findUniqueOrThrow({ where: { id: root.id } })).disabledAt).toBeNull();
    const support = await seedEnrolledStaff({ role: "support" });
    await disableStaff(actorFor(root), support.staff.id);
    await expect(disableStaff(actorFor(root), support.staff.id)).rejects.toThrow(/No such active/);
    await enableStaff(actorFor(root), support.staff.id);
    const actions = (await db().accessLogEntry.findMany({ where: { targetRef: support.staff.id } })).map((e) => e.action);
    expect(actions).toEqual(["staff.disable", "staff.enable"]);
  });

  it("concurrent disables of the last two admins leave one active admin", async () => {
    const a = await seedEnrolledStaff({ role: "admin" });
    const b = await seedEnrolledStaff({ role: "admin" });
    const root = await db().staff.findUniqueOrThrow({ where: { email: "root@custodian.test" } });
    await disableStaff(actorFor(a.staff), root.id);
    const results = await Promise.allSettled([disableStaff(actorFor(a.staff), b.staff.id), disableStaff(actorFor(b.staff), a.staff.id)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db().staff.count({ where: { role: "admin", disabledAt: null, totpEnrolledAt: { not: null } } })).toBe(1);
  });
});
