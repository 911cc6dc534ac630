import { db, type ConsoleTx } from "@/lib/db";
import { env } from "@/lib/env";
import { appendAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { sessionDecision, shouldTouch, type SessionEndReason } from "@/lib/auth/session-validity";

// Server-side sessions behind the JWT. Loaded fresh from the database on every request (no
// caching across requests), so revocation and disabling take effect on the very next one.

export type ActiveSession = {
  session: { id: string; createdAt: Date; expiresAt: Date; lastSeenAt: Date };
  staff: { id: string; email: string; displayName: string; role: string };
};

export function sessionLimits() {
  return { idleMinutes: env().CUSTODIAN_SESSION_IDLE_MINUTES, maxHours: env().CUSTODIAN_SESSION_MAX_HOURS };
}

/**
 * @param opts.activity false for polling and auto-refresh: the session is checked as usual but
 *   lastSeenAt is not moved, so an open tab that only polls still reaches the idle timeout.
 */
export async function resolveStaffSession(
  sessionId: string | undefined | null,
  now = new Date(),
  opts: { activity?: boolean } = {},
): Promise<{ ok: true; active: ActiveSession } | { ok: false; reason: SessionEndReason | "none" }> {
  if (!sessionId) return { ok: false, reason: "none" };
  const row = await db().staffSession.findUnique({ where: { id: sessionId }, include: { staff: true } });
  const decision = sessionDecision(row, row?.staff ?? null, now, sessionLimits());
  if (!decision.ok || !row) return { ok: false, reason: decision.ok ? "signed-out" : decision.reason };
  const activity = opts.activity ?? true;
  if (activity && shouldTouch(row.lastSeenAt, now)) {
    await db().staffSession.updateMany({ where: { id: row.id, revokedAt: null }, data: { lastSeenAt: now } });
  }
  const { staff } = row;
  return {
    ok: true,
    active: {
      session: { id: row.id, createdAt: row.createdAt, expiresAt: row.expiresAt, lastSeenAt: activity ? now : row.lastSeenAt },
      staff: { id: staff.id, email: staff.email, displayName: staff.displayName, role: staff.role },
    },
  };
}

/** Revokes every open session of a staff member (disable, re-issued enrolment). */
export async function revokeStaffSessions(tx: ConsoleTx, staffId: string, now: Date): Promise<number> {
  const { count } = await tx.staffSession.updateMany({ where: { staffId, revokedAt: null }, data: { revokedAt: now } });
  return count;
}

/** Sign-out: revokes one session and logs "auth.signout" (only the first time). */
export async function signOutSession(sessionId: string, actor: Actor | null, now = new Date()): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const row = await tx.staffSession.findUnique({ where: { id: sessionId }, include: { staff: true } });
    if (!row) return false;
    const { count } = await tx.staffSession.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: now } });
    if (count === 0) return false;
    await appendAccessLog(tx, {
      actor: actor ?? { id: row.staff.id, label: row.staff.email, role: row.staff.role },
      action: "auth.signout",
      outcome: "ok",
      target: { type: "staff", ref: row.staffId },
      at: now,
    });
    return true;
  });
}
