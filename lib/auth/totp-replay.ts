import crypto from "node:crypto";
import type { ConsoleTx } from "@/lib/db";
import { TOTP_PERIOD, TOTP_WINDOW } from "@/lib/auth/totp";

// A TOTP code must not work twice. The schema has no "last used step" column, so the step a
// sign-in used is kept in its StaffSession id ("<step>.<random>"; "r.<random>" for a recovery
// code). A new code is refused when a session created within the code's validity carries an
// equal or later step. The id stays unguessable (256 random bits) and only ever travels inside
// the encrypted next-auth JWT.
// Limitation: two sign-ins racing with the same code within milliseconds could both pass;
// a Staff.totpLastStep column updated with a conditional write would close that (see report).

export function newSessionId(step: number | null): string {
  return `${step ?? "r"}.${crypto.randomBytes(32).toString("base64url")}`;
}

export function stepOfSessionId(id: string): number | null {
  const head = id.split(".")[0];
  return /^\d+$/.test(head) ? Number(head) : null;
}

/** True when `step` (or a later one) was already used to sign this staff member in. */
export async function isTotpStepUsed(tx: ConsoleTx, staffId: string, step: number, now: Date): Promise<boolean> {
  // A code is accepted for at most (2 * window + 1) periods; older sessions cannot conflict.
  const since = new Date(now.getTime() - (2 * TOTP_WINDOW + 2) * TOTP_PERIOD * 1000);
  const recent = await tx.staffSession.findMany({
    where: { staffId, createdAt: { gte: since } },
    select: { id: true },
  });
  return recent.some((s) => {
    const used = stepOfSessionId(s.id);
    return used !== null && used >= step;
  });
}
