import crypto from "node:crypto";
import { z } from "zod";
import { recordAccess, withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "@/lib/auth/password";
import { sessionLimits } from "@/lib/auth/session";
import { sessionDecision } from "@/lib/auth/session-validity";
import { checkStaffCode, CODE_MESSAGES } from "@/lib/auth/step-up";

// The signed-in staff member's own account: change the password (current password and a fresh
// authenticator code; every other session ends), list their active sessions and end any of them.
// Each change is one access-log entry; refusals are logged as denied with the reason.

export const changePasswordSchema = z
  .object({
    current: z.string().min(1, "Enter your current password.").max(200),
    password: z.string().min(MIN_PASSWORD_LENGTH, `At least ${MIN_PASSWORD_LENGTH} characters.`).max(200, "At most 200 characters."),
    confirmPassword: z.string(),
    code: z.string().trim().min(1, "Enter the current code from your authenticator app."),
  })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], message: "The new passwords do not match." })
  .refine((v) => v.password !== v.current, { path: ["password"], message: "Choose a password different from the current one." });

export type OwnResult = { ok: true; message: string } | { ok: false; message: string; errors?: Record<string, string[] | undefined> };

export async function changeOwnPassword(actor: Actor & { id: string }, sessionId: string, input: Record<string, unknown>, now = new Date()): Promise<OwnResult> {
  const parsed = changePasswordSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: "Check the highlighted fields.", errors: z.flattenError(parsed.error).fieldErrors };
  const deny = async (reason: string, field: string, message: string): Promise<OwnResult> => {
    await recordAccess({ actor, action: "auth.password.change", outcome: "denied", target: { type: "staff", ref: actor.id }, details: { reason }, at: now });
    return { ok: false, message, errors: { [field]: [message] } };
  };
  const staff = await db().staff.findUnique({ where: { id: actor.id }, select: { passwordHash: true } });
  if (!(await verifyPassword(parsed.data.current, staff?.passwordHash))) return deny("bad-password", "current", "Your current password is not correct. Nothing was changed.");
  const code = await checkStaffCode(actor.id, parsed.data.code, now);
  if (code) return deny(code, "code", CODE_MESSAGES[code]);
  const passwordHash = await hashPassword(parsed.data.password);
  const ended = await withAccessLog(
    (n: number) => ({ actor, action: "auth.password.change", outcome: "ok" as const, target: { type: "staff" as const, ref: actor.id }, details: { otherSessionsEnded: n }, at: now }),
    async (tx) => {
      await tx.staff.update({ where: { id: actor.id }, data: { passwordHash } });
      const { count } = await tx.staffSession.updateMany({ where: { staffId: actor.id, revokedAt: null, NOT: { id: sessionId } }, data: { revokedAt: now } });
      return count;
    },
  );
  return { ok: true, message: `Password changed.${ended ? ` ${ended} other session(s) were ended.` : ""}` };
}

/** A session's id is what the signed JWT carries: pages get a one-way handle instead. */
export function sessionHandle(sessionId: string): string {
  return crypto.createHash("sha256").update(`custodian-session-handle:${sessionId}`).digest("hex").slice(0, 20);
}

export type OwnSession = { handle: string; current: boolean; createdAt: Date; lastSeenAt: Date; expiresAt: Date; ip: string | null; userAgent: string | null };

/** The staff member's sessions that still work (not ended, not expired, not idle), newest first. */
export async function listOwnSessions(staffId: string, currentSessionId: string, now = new Date()): Promise<OwnSession[]> {
  const rows = await db().staffSession.findMany({ where: { staffId, revokedAt: null }, include: { staff: true }, orderBy: { createdAt: "desc" } });
  const limits = sessionLimits();
  return rows
    .filter((r) => sessionDecision(r, r.staff, now, limits).ok)
    .map((r) => ({ handle: sessionHandle(r.id), current: r.id === currentSessionId, createdAt: r.createdAt, lastSeenAt: r.lastSeenAt, expiresAt: r.expiresAt, ip: r.ip, userAgent: r.userAgent }));
}

/** Ends one of the staff member's own sessions (by handle) or every one but the current ("others"). */
export async function endOwnSessions(actor: Actor & { id: string }, currentSessionId: string, which: { handle: string } | "others", now = new Date()): Promise<OwnResult> {
  let target: string | null = null;
  if (which !== "others") {
    const mine = await db().staffSession.findMany({ where: { staffId: actor.id, revokedAt: null }, select: { id: true } });
    target = mine.find((m) => sessionHandle(m.id) === which.handle)?.id ?? "-";
  }
  const where = which === "others"
    ? { staffId: actor.id, revokedAt: null, NOT: { id: currentSessionId } }
    : { staffId: actor.id, revokedAt: null, id: target! };
  const count = await withAccessLog(
    (n: number) => ({ actor, action: "auth.session.end", outcome: n ? ("ok" as const) : ("not_found" as const), target: { type: "staff" as const, ref: actor.id },
      details: { which: which === "others" ? "others" : target === currentSessionId ? "current" : "one", ended: n }, at: now }),
    async (tx) => (await tx.staffSession.updateMany({ where, data: { revokedAt: now } })).count,
  );
  if (!count) return { ok: false, message: "That session has already ended." };
  return { ok: true, message: which === "others" ? `${count} other session(s) ended.` : "Session ended." };
}
