import { appendAccessLog, withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import type { Role } from "@/lib/authz";
import type { ConsoleTx } from "@/lib/db";
import { unusablePasswordHash } from "@/lib/auth/password";
import { revokeStaffSessions } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { enrolLink, newEnrolToken } from "@/lib/staff/enrol-token";
import { GrantRuleError, isPrivileged, requestGrant } from "@/lib/staff/grants";

// Staff account changes, each with its access-log entry in the same transaction. Called by
// lib/staff/actions.ts (after the guard) and by tests; rules about *which* changes are allowed
// (no self-disable, no own role change, never zero active admins, the dpo and admin roles only
// with a second admin: lib/staff/grants.ts) live here so every caller gets them.

export class StaffRuleError extends Error {}

/** Grant rule violations surface as staff rule errors (one error type for the actions). */
async function grantRules<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw e instanceof GrantRuleError ? new StaffRuleError(e.message) : e;
  }
}

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

/** A dpo or admin account is created without an enrolment link and a grant request for a second
 * admin (link: null, pendingGrant: its seq); any other role gets its link at once. */
export async function createStaff(actor: Actor, input: { email: string; displayName: string; role: Role }, now = new Date()) {
  const privileged = isPrivileged(input.role);
  const enrol = newEnrolToken(now);
  const { staff, pendingGrant } = await grantRules(() =>
    db().$transaction(async (tx) => {
      const existing = await tx.staff.findUnique({ where: { email: input.email }, select: { id: true } });
      if (existing) throw new StaffRuleError("A staff account with this e-mail already exists.");
      const created = await tx.staff.create({
        data: {
          email: input.email,
          displayName: input.displayName,
          role: input.role,
          passwordHash: unusablePasswordHash(),
          enrolTokenHash: privileged ? null : enrol.hash,
          enrolTokenExpires: privileged ? null : enrol.expires,
        },
        select: { id: true, email: true },
      });
      await appendAccessLog(tx, { actor, action: "staff.create", outcome: "ok", target: { type: "staff", ref: created.id }, details: { role: input.role }, at: now });
      const seq = privileged ? await requestGrant(tx, actor, { staffId: created.id, kind: "create", role: input.role }, now) : null;
      return { staff: created, pendingGrant: seq };
    }),
  );
  return privileged
    ? { staff, token: null, link: null, pendingGrant }
    : { staff, token: enrol.token, link: enrolLink(enrol.token), pendingGrant: null };
}

/** Changing to dpo or admin only records a grant request (pendingGrant: its seq). */
export async function changeStaffRole(actor: Actor, input: { staffId: string; role: Role }): Promise<{ pendingGrant: number | null }> {
  if (actor.id === input.staffId) throw new StaffRuleError("You cannot change your own role; ask another administrator.");
  if (isPrivileged(input.role)) {
    return grantRules(() =>
      db().$transaction(async (tx) => {
        const before = await tx.staff.findUnique({ where: { id: input.staffId }, select: { role: true } });
        if (!before) throw new StaffRuleError("No such staff account.");
        if (before.role === input.role) throw new StaffRuleError("The account already has this role.");
        return { pendingGrant: await requestGrant(tx, actor, { staffId: input.staffId, kind: "role", role: input.role, from: before.role }) };
      }),
    );
  }
  await withAccessLog(
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
  return { pendingGrant: null };
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

/** New enrolment link; resets password, TOTP and recovery codes and ends the account's sessions.
 * For a dpo or admin account only a grant request is recorded (link: null; lib/staff/grants.ts). */
export async function reissueEnrolment(actor: Actor, staffId: string, now = new Date()): Promise<{ token: string | null; link: string | null; pendingGrant: number | null }> {
  if (actor.id === staffId) throw new StaffRuleError("Ask another administrator to re-issue your own enrolment.");
  const target = await db().staff.findUnique({ where: { id: staffId }, select: { role: true } });
  if (!target) throw new StaffRuleError("No such staff account.");
  if (isPrivileged(target.role)) {
    const seq = await grantRules(() => db().$transaction((tx) => requestGrant(tx, actor, { staffId, kind: "reissue", role: target.role as Role }, now)));
    return { token: null, link: null, pendingGrant: seq };
  }
  const enrol = newEnrolToken(now);
  await withAccessLog(
    (revoked: number) => ({ actor, action: "staff.enrolment.reissue", outcome: "ok", target: { type: "staff", ref: staffId }, details: { sessionsRevoked: revoked } }),
    async (tx) => {
      await lockAdmins(tx);
      // Conditional on the role: a concurrent change to a privileged role makes this a no-op.
      const { count } = await tx.staff.updateMany({
        where: { id: staffId, role: target.role },
        data: {
          passwordHash: unusablePasswordHash(),
          totpSecretEnc: null,
          totpEnrolledAt: null,
          enrolTokenHash: enrol.hash,
          enrolTokenExpires: enrol.expires,
        },
      });
      if (count === 0) throw new StaffRuleError("The account changed meanwhile; reload and try again.");
      await assertAdminRemains(tx);
      await tx.recoveryCode.deleteMany({ where: { staffId } });
      return revokeStaffSessions(tx, staffId, now);
    },
  );
  return { token: enrol.token, link: enrolLink(enrol.token), pendingGrant: null };
}
