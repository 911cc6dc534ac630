import crypto from "node:crypto";
import type { ConsoleTx } from "@/lib/db";

// A TOTP code must not work twice. Staff.totpLastStep holds the last time-step used; claiming a
// step is one conditional UPDATE, so two sign-ins racing with the same code cannot both pass.

export function newSessionId(): string {
  return crypto.randomBytes(32).toString("base64url");
}

/** Records `step` as used; false when it (or a later step) was already used by this staff member. */
export async function claimTotpStep(tx: ConsoleTx, staffId: string, step: number): Promise<boolean> {
  const { count } = await tx.staff.updateMany({
    where: { id: staffId, OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }] },
    data: { totpLastStep: step },
  });
  return count === 1;
}
