import { withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import type { Role } from "@/lib/authz";
import type { ConsoleTx } from "@/lib/db";
import { unusablePasswordHash } from "@/lib/auth/password";
import { revokeStaffSessions } from "@/lib/auth/session";
import { enrolLink, newEnrolToken } from "@/lib/staff/enrol-token";

// Staff account changes, each with its access-log entry in the same transaction. Called by
// lib/staff/actions.ts (after the guard) and by tests; rules about *which* changes are allowed
// (no self-disable, never zero active admins) live here so every caller gets them.

export class StaffRuleError extends Error {}

/** Serialises admin-changing transactions: takes the row locks (PostgreSQL) / write lock (SQLite)
 * on every admin row before counting, so two admins cannot remove each other at once. */
async function lockAdmins(tx: ConsoleTx): Promise<void> {
  await tx.$executeRaw`UPDATE "Staff" SET "updatedAt" = "updatedAt" WHERE "role" = 'admin'`;
}

/** Admins who can still sign in: not disabled and enrolled. */
export async function countActiveAdmins(tx: ConsoleTx): Promise<number> {
  return tx.staff.count({ where: { role: "admin", disabledAt: null, totpEnrolledAt: { not: null } } });
}

async function assertAdminRemains(tx: ConsoleTx): Promise<void> {
  if ((await countActiveAdmins(tx)) === 0) {
    throw new StaffRuleError("This would leave no active administrator; add or enable another admin first.");
  }
}

export async function createStaff(actor: Actor, input: { email: string; displayName: string; role: Role }, now = new Date()) {
  const enrol = newEnrolToken(now);
  const staff = await withAccessLog(
    (s: { id: string }) => ({ actor, action: "staff.create", outcome: "ok", target: { type: "staff", ref: s.id }, details: { role: input.role } }),
    async (tx) => {
      const existing = await tx.staff.findUnique({ where: { email: input.email }, select: { id: true } });
      if (existing) throw new StaffRuleError("A staff account with this e-mail already exists.");
      return tx.staff.create({
        data: {
          email: input.email,
          displayName: input.displayName,
          role: input.role,
          passwordHash: unusablePasswordHash(),
          enrolTokenHash: enrol.hash,
          enrolTokenExpires: enrol.expires,
        },
        select: { id: true, email: true },
      });
    },
  );
  return { staff, token: enrol.token, link: enrolLink(enrol.token) };
}

export async function changeStaffRole(actor: Actor, input: { staffId: string; role: Role }) {
  return withAccessLog(
    (from: string) => ({ actor, action: "staff.role.change", outcome: "ok", target: { type: "staff", ref: input.staffId }, details: { from, to: input.role } }),
    async (tx) => {
      await lockAdmins(tx);
      const before = await tx.staff.findUnique({ where: { id: input.staffId }, select: { role: true } });
      if (!before) throw new StaffRuleError("No such staff account.");
      await tx.staff.update({ where: { id: input.staffId }, data: { role: input.role } });
      if (before.role === "admin" && input.role !== "admin") await assertAdminRemains(tx);
      return before.role;
    },
  );
}

export async function disableStaff(actor: Actor, staffId: string, now = new Date()) {
  if (actor.id === staffId) throw new StaffRuleError("You cannot disable your own account.");
  return withAccessLog(
    (revoked: number) => ({ actor, action: "staff.disable", outcome: "ok", target: { type: "staff", ref: staffId }, details: { sessionsRevoked: revoked } }),
    async (tx) => {
      await lockAdmins(tx);
      const { count } = await tx.staff.updateMany({ where: { id: staffId, disabledAt: null }, data: { disabledAt: now } });
      if (count === 0) throw new StaffRuleError("No such active staff account.");
      await assertAdminRemains(tx);
      return revokeStaffSessions(tx, staffId, now);
    },
  );
}

export async function enableStaff(actor: Actor, staffId: string) {
  return withAccessLog({ actor, action: "staff.enable", outcome: "ok", target: { type: "staff", ref: staffId } }, async (tx) => {
    const { count } = await tx.staff.updateMany({ where: { id: staffId, disabledAt: { not: null } }, data: { disabledAt: null } });
    if (count === 0) throw new StaffRuleError("No such disabled staff account.");
  });
}

/** New enrolment link; resets password, TOTP and recovery codes and ends the account's sessions. */
export async function reissueEnrolment(actor: Actor, staffId: string, now = new Date()) {
  if (actor.id === staffId) throw new StaffRuleError("Ask another administrator to re-issue your own enrolment.");
  const enrol = newEnrolToken(now);
  await withAccessLog(
    (revoked: number) => ({ actor, action: "staff.enrolment.reissue", outcome: "ok", target: { type: "staff", ref: staffId }, details: { sessionsRevoked: revoked } }),
    async (tx) => {
      await lockAdmins(tx);
      const { count } = await tx.staff.updateMany({
        where: { id: staffId },
        data: {
          passwordHash: unusablePasswordHash(),
          totpSecretEnc: null,
          totpEnrolledAt: null,
          enrolTokenHash: enrol.hash,
          enrolTokenExpires: enrol.expires,
        },
      });
      if (count === 0) throw new StaffRuleError("No such staff account.");
      await assertAdminRemains(tx);
      await tx.recoveryCode.deleteMany({ where: { staffId } });
      return revokeStaffSessions(tx, staffId, now);
    },
  );
  return { token: enrol.token, link: enrolLink(enrol.token) };
}
