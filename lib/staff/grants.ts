import { appendAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { isRole, type Role } from "@/lib/authz";
import { db, type ConsoleTx } from "@/lib/db";
import { unusablePasswordHash } from "@/lib/auth/password";
import { revokeStaffSessions } from "@/lib/auth/session";
import { enrolLink, newEnrolToken } from "@/lib/staff/enrol-token";

// Privileged grants need two administrators (ARCHITECTURE.md, "Staff administration").
// Giving an account the dpo or admin role — creating it with that role, changing it to that role,
// or re-issuing the enrolment of such an account — is only *requested* by the first admin: a
// "staff.grant.request" access-log entry (its seq is the grant's id; no table of its own).
// A different active admin, who is not the account holder either, confirms it: the role is set,
// the account's credentials are reset and a new enrolment link is issued that only the confirming
// admin sees. So nobody who asked for a privileged role ever holds a link for it, and a privileged
// role is never added to credentials someone set up earlier (e.g. a support account the requester
// enrolled). Either admin may cancel. Requests lapse after GRANT_TTL_MS.

export const PRIVILEGED_ROLES: readonly Role[] = ["dpo", "admin"];
export const GRANT_TTL_MS = 72 * 3_600_000;
export type GrantKind = "create" | "role" | "reissue";
export type PendingGrant = {
  seq: number;
  staffId: string;
  kind: GrantKind;
  role: Role;
  from: string | null;
  requestedById: string | null;
  requestedBy: string;
  requestedAt: Date;
};

export class GrantRuleError extends Error {}

export const isPrivileged = (role: string): boolean => (PRIVILEGED_ROLES as readonly string[]).includes(role);

/** Takes the admin rows' locks first (as manage-staff does), so confirmations are serialised. */
async function lockAdmins(tx: ConsoleTx): Promise<void> {
  await tx.$executeRaw`UPDATE "Staff" SET "updatedAt" = "updatedAt" WHERE "role" = 'admin'`;
}

const activeAdmins = (tx: ConsoleTx) => tx.staff.count({ where: { role: "admin", disabledAt: null, totpEnrolledAt: { not: null } } });

/** Records the request; the caller's transaction makes any other change with it. */
export async function requestGrant(
  tx: ConsoleTx,
  actor: Actor,
  g: { staffId: string; kind: GrantKind; role: Role; from?: string | null },
  now = new Date(),
): Promise<number> {
  if (actor.id === g.staffId) throw new GrantRuleError("You cannot grant a role to your own account.");
  if ((await activeAdmins(tx)) < 2) {
    throw new GrantRuleError(
      "Granting the DPO or admin role needs a second active administrator to confirm it, and there is none. Add one from the command line (npm run cli -- staff:create-admin --operator <your e-mail> --code <your authenticator code>).",
    );
  }
  const { seq } = await appendAccessLog(tx, {
    actor,
    action: "staff.grant.request",
    outcome: "ok",
    target: { type: "staff", ref: g.staffId },
    details: { grant: g.kind, role: g.role, from: g.from ?? null },
    at: now,
  });
  return seq;
}

type Details = { grant?: GrantKind; role?: string; from?: string | null; requestSeq?: number };
const parse = (d: string | null): Details => {
  try {
    return d ? (JSON.parse(d) as Details) : {};
  } catch {
    return {};
  }
};

/** Open requests: not confirmed, cancelled, superseded by a later request for the account, or lapsed. */
export async function pendingGrants(tx: ConsoleTx = db(), now = new Date()): Promise<PendingGrant[]> {
  const entries = await tx.accessLogEntry.findMany({
    where: { action: { in: ["staff.grant.request", "staff.grant.confirm", "staff.grant.cancel"] }, at: { gte: new Date(now.getTime() - GRANT_TTL_MS) } },
    orderBy: { seq: "asc" },
  });
  const closed = new Set(entries.filter((e) => e.action !== "staff.grant.request").map((e) => parse(e.details).requestSeq));
  const latest = new Map<string, PendingGrant>();
  for (const e of entries) {
    if (e.action !== "staff.grant.request" || !e.targetRef) continue;
    const d = parse(e.details);
    if (!d.grant || !d.role || !isRole(d.role)) continue;
    latest.set(e.targetRef, {
      seq: e.seq,
      staffId: e.targetRef,
      kind: d.grant,
      role: d.role,
      from: d.from ?? null,
      requestedById: e.actorId,
      requestedBy: e.actorLabel,
      requestedAt: e.at,
    });
  }
  return [...latest.values()].filter((g) => !closed.has(g.seq));
}

async function openGrant(tx: ConsoleTx, seq: number, now: Date): Promise<PendingGrant> {
  const g = (await pendingGrants(tx, now)).find((p) => p.seq === seq);
  if (!g) throw new GrantRuleError("This request is no longer pending (confirmed, cancelled, replaced by a newer one or lapsed).");
  return g;
}

/** Second admin: applies the grant and returns the enrolment link (shown to the confirmer only). */
export async function confirmGrant(actor: Actor, seq: number, now = new Date()): Promise<{ staffId: string; link: string }> {
  const enrol = newEnrolToken(now);
  const staffId = await db().$transaction(async (tx) => {
    await lockAdmins(tx);
    const g = await openGrant(tx, seq, now);
    if (actor.id === g.requestedById) throw new GrantRuleError("A different administrator must confirm your request.");
    if (actor.id === g.staffId) throw new GrantRuleError("You cannot confirm a grant for your own account.");
    const staff = await tx.staff.findUnique({ where: { id: g.staffId } });
    if (!staff) throw new GrantRuleError("No such staff account.");
    if (g.kind === "role" && staff.role !== g.from) throw new GrantRuleError("The account's role changed since the request; ask for it again.");
    if (g.kind !== "role" && staff.role !== g.role) throw new GrantRuleError("The account's role changed since the request; ask for it again.");
    if (staff.disabledAt) throw new GrantRuleError("The account is disabled; enable it first.");
    await tx.staff.update({
      where: { id: g.staffId },
      data: {
        role: g.role,
        passwordHash: unusablePasswordHash(),
        totpSecretEnc: null,
        totpEnrolledAt: null,
        enrolTokenHash: enrol.hash,
        enrolTokenExpires: enrol.expires,
      },
    });
    if (staff.role === "admin" && g.role !== "admin" && (await activeAdmins(tx)) === 0) {
      throw new GrantRuleError("This would leave no active administrator; add or enable another admin first.");
    }
    await tx.recoveryCode.deleteMany({ where: { staffId: g.staffId } });
    const revoked = await revokeStaffSessions(tx, g.staffId, now);
    await appendAccessLog(tx, {
      actor,
      action: "staff.grant.confirm",
      outcome: "ok",
      target: { type: "staff", ref: g.staffId },
      details: { requestSeq: g.seq, grant: g.kind, role: g.role, from: staff.role, sessionsRevoked: revoked },
      at: now,
    });
    return g.staffId;
  });
  return { staffId, link: enrolLink(enrol.token) };
}

/** Either admin withdraws a request; a pending new account is disabled with it. */
export async function cancelGrant(actor: Actor, seq: number, now = new Date()): Promise<void> {
  await db().$transaction(async (tx) => {
    await lockAdmins(tx);
    const g = await openGrant(tx, seq, now);
    if (g.kind === "create") {
      await tx.staff.updateMany({ where: { id: g.staffId, totpEnrolledAt: null, enrolTokenHash: null }, data: { disabledAt: now } });
    }
    await appendAccessLog(tx, {
      actor,
      action: "staff.grant.cancel",
      outcome: "ok",
      target: { type: "staff", ref: g.staffId },
      details: { requestSeq: g.seq, grant: g.kind, role: g.role },
      at: now,
    });
  });
}
