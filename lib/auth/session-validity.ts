// Whether a staff session may still be used, as a pure function of the rows and a clock.
// lib/auth/session.ts loads the rows fresh on every request and applies this.

export type SessionEndReason = "expired" | "idle" | "disabled" | "signed-out";

export type SessionLimits = { idleMinutes: number; maxHours: number };

export type SessionRow = { createdAt: Date; lastSeenAt: Date; expiresAt: Date; revokedAt: Date | null };
export type StaffRow = { disabledAt: Date | null; totpEnrolledAt: Date | null };

/** Throttle for lastSeenAt writes: at most one per minute per session. */
export const TOUCH_INTERVAL_MS = 60_000;

export function sessionDecision(
  session: SessionRow | null,
  staff: StaffRow | null,
  now: Date,
  limits: SessionLimits,
): { ok: true } | { ok: false; reason: SessionEndReason } {
  if (!session || !staff) return { ok: false, reason: "signed-out" };
  if (staff.disabledAt) return { ok: false, reason: "disabled" };
  // Re-issued enrolment resets the second factor: the old sessions must not outlive it.
  if (!staff.totpEnrolledAt) return { ok: false, reason: "signed-out" };
  if (session.revokedAt) return { ok: false, reason: "signed-out" };
  const absoluteEnd = Math.min(session.expiresAt.getTime(), session.createdAt.getTime() + limits.maxHours * 3_600_000);
  if (now.getTime() >= absoluteEnd) return { ok: false, reason: "expired" };
  if (now.getTime() - session.lastSeenAt.getTime() > limits.idleMinutes * 60_000) return { ok: false, reason: "idle" };
  return { ok: true };
}

export function shouldTouch(lastSeenAt: Date, now: Date): boolean {
  return now.getTime() - lastSeenAt.getTime() >= TOUCH_INTERVAL_MS;
}
