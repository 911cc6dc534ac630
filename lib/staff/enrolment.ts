import { db } from "@/lib/db";
import { appendAccessLog } from "@/lib/audit/log";
import { hashPassword } from "@/lib/auth/password";
import { generateTotpSecret, openTotpSecret, sealTotpSecret, verifyTotp } from "@/lib/auth/totp";
import { replaceRecoveryCodes } from "@/lib/auth/recovery-codes";
import { hashEnrolToken } from "@/lib/staff/enrol-token";

// Completing enrolment from the one-time link: password, TOTP secret (confirmed with a current
// code) and ten recovery codes. The token works once and for 72 hours. The TOTP secret is made by
// the server when the enrolment page is first opened (openEnrolment) and stored encrypted on the
// staff row as *pending* (totpSecretEnc set, totpEnrolledAt null: sign-in refuses it); the
// browser only shows it and never sends one back, so nobody can choose their own (weak) secret.
// Completing enrolment confirms a current code from the stored secret and sets totpEnrolledAt.

export type PendingEnrolment = { staffId: string; email: string; displayName: string };

export async function findPendingEnrolment(token: string, now = new Date()): Promise<PendingEnrolment | null> {
  if (!token || token.length > 200) return null;
  const staff = await db().staff.findUnique({ where: { enrolTokenHash: hashEnrolToken(token) } });
  if (!staff || staff.disabledAt || !staff.enrolTokenExpires || staff.enrolTokenExpires <= now) return null;
  return { staffId: staff.id, email: staff.email, displayName: staff.displayName };
}

export type OpenedEnrolment = PendingEnrolment & { secret: string };

/** The page's view of a valid link: the pending secret, made and stored on first open. */
export async function openEnrolment(token: string, now = new Date()): Promise<OpenedEnrolment | null> {
  const pending = await findPendingEnrolment(token, now);
  if (!pending) return null;
  // Conditional: two tabs opening the link at once store one secret, and both show that one.
  await db().staff.updateMany({
    where: { id: pending.staffId, enrolTokenHash: hashEnrolToken(token), totpEnrolledAt: null, totpSecretEnc: null },
    data: { totpSecretEnc: sealTotpSecret(generateTotpSecret()) },
  });
  const row = await db().staff.findUnique({ where: { id: pending.staffId }, select: { totpSecretEnc: true, totpEnrolledAt: true } });
  if (!row?.totpSecretEnc || row.totpEnrolledAt) return null;
  return { ...pending, secret: openTotpSecret(row.totpSecretEnc) };
}

export type CompleteEnrolmentInput = { token: string; password: string; code: string };
export type CompleteEnrolmentResult =
  | { ok: true; recoveryCodes: string[]; email: string }
  | { ok: false; field?: "code"; message: string };

const LINK_INVALID = "This enrolment link is invalid, expired or already used. Ask an administrator for a new one.";

export async function completeEnrolment(input: CompleteEnrolmentInput, ctx: { ip: string | null; userAgent: string | null }, now = new Date()): Promise<CompleteEnrolmentResult> {
  const pending = await findPendingEnrolment(input.token, now);
  if (!pending) return { ok: false, message: LINK_INVALID };
  const row = await db().staff.findUnique({ where: { id: pending.staffId }, select: { totpSecretEnc: true } });
  if (!row?.totpSecretEnc) return { ok: false, message: "Open the enrolment link again to set up your authenticator app." };
  const step = verifyTotp(openTotpSecret(row.totpSecretEnc), input.code, now);
  if (step === null) {
    return { ok: false, field: "code", message: "That code does not match. Check the time on your device and try the current code." };
  }
  const passwordHash = await hashPassword(input.password);
  return db().$transaction(async (tx) => {
    // Conditional on the token still being there: a second use of the same link changes nothing.
    const { count } = await tx.staff.updateMany({
      where: {
        id: pending.staffId,
        enrolTokenHash: hashEnrolToken(input.token),
        enrolTokenExpires: { gt: now },
        disabledAt: null,
        totpSecretEnc: row.totpSecretEnc, // the secret the code was checked against
        totpEnrolledAt: null,
      },
      data: {
        passwordHash,
        totpEnrolledAt: now,
        totpLastStep: step, // the confirming code cannot also be used to sign in
        enrolTokenHash: null,
        enrolTokenExpires: null,
      },
    });
    if (count === 0) return { ok: false as const, message: LINK_INVALID };
    const recoveryCodes = await replaceRecoveryCodes(tx, pending.staffId);
    const staff = await tx.staff.findUniqueOrThrow({ where: { id: pending.staffId } });
    await appendAccessLog(tx, {
      actor: { id: staff.id, label: staff.email, role: staff.role, ip: ctx.ip, userAgent: ctx.userAgent },
      action: "staff.enrol",
      outcome: "ok",
      target: { type: "staff", ref: staff.id },
      at: now,
    });
    return { ok: true as const, recoveryCodes, email: staff.email };
  });
}
