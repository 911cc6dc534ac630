import { db } from "@/lib/db";

// Staff list for the admin page. Secrets (password hash, TOTP secret, token hash) are never selected.

export type StaffListRow = {
  id: string;
  email: string;
  displayName: string;
  role: string;
  isEnrolled: boolean;
  isDisabled: boolean;
  hasPendingEnrolment: boolean;
  lastSignInAt: Date | null;
};

export async function findStaff(): Promise<StaffListRow[]> {
  const [staff, lastSessions] = await Promise.all([
    db().staff.findMany({
      orderBy: { email: "asc" },
      select: { id: true, email: true, displayName: true, role: true, totpEnrolledAt: true, disabledAt: true, enrolTokenExpires: true },
    }),
    db().staffSession.groupBy({ by: ["staffId"], _max: { createdAt: true } }),
  ]);
  const last = new Map(lastSessions.map((s) => [s.staffId, s._max.createdAt]));
  const now = Date.now();
  return staff.map((s) => ({
    id: s.id,
    email: s.email,
    displayName: s.displayName,
    role: s.role,
    isEnrolled: s.totpEnrolledAt !== null,
    isDisabled: s.disabledAt !== null,
    hasPendingEnrolment: s.enrolTokenExpires !== null && s.enrolTokenExpires.getTime() > now,
    lastSignInAt: last.get(s.id) ?? null,
  }));
}

export async function getOwnAccount(staffId: string, sessionId: string) {
  const [staff, session, unusedCodes] = await Promise.all([
    db().staff.findUnique({
      where: { id: staffId },
      select: { email: true, displayName: true, role: true, totpEnrolledAt: true, createdAt: true },
    }),
    db().staffSession.findUnique({ where: { id: sessionId }, select: { createdAt: true, expiresAt: true, lastSeenAt: true } }),
    db().recoveryCode.count({ where: { staffId, usedAt: null } }),
  ]);
  return staff && session ? { staff, session, unusedCodes } : null;
}
