import { withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { openTotpSecret, verifyTotp } from "@/lib/auth/totp";
import { replaceRecoveryCodes } from "@/lib/auth/recovery-codes";

// New recovery codes for the signed-in staff member, confirmed with a current TOTP code.

export async function regenerateRecoveryCodesFor(
  staffId: string,
  actor: Actor,
  code: string,
  now = new Date(),
): Promise<{ ok: true; recoveryCodes: string[] } | { ok: false; message: string }> {
  const staff = await db().staff.findUnique({ where: { id: staffId }, select: { totpSecretEnc: true } });
  const matches = staff?.totpSecretEnc ? verifyTotp(openTotpSecret(staff.totpSecretEnc), code, now) !== null : false;
  if (!matches) return { ok: false, message: "That code does not match; enter the current code from your authenticator app." };
  const recoveryCodes = await withAccessLog(
    { actor, action: "auth.recovery-codes.regenerate", outcome: "ok", target: { type: "staff", ref: staffId }, at: now },
    (tx) => replaceRecoveryCodes(tx, staffId),
  );
  return { ok: true, recoveryCodes };
}
