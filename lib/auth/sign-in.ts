import { z } from "zod";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { appendAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { verifyPassword } from "@/lib/auth/password";
import { openTotpSecret, verifyTotp } from "@/lib/auth/totp";
import { consumeRecoveryCode } from "@/lib/auth/recovery-codes";
import { claimTotpStep, newSessionId } from "@/lib/auth/totp-replay";
import { combineThrottle, THROTTLE_LOOKBACK_MS, throttleDecision, throttleMessage } from "@/lib/auth/throttle";
import { UNKNOWN_ADDRESS } from "@/lib/auth/client-address";

// The credentials check behind next-auth's authorize(): record the attempt, throttle, password, second factor
// (TOTP or a one-time recovery code), then a server-side StaffSession. Every attempt writes a
// LoginAttempt row and an "auth.signin" access-log entry; the password is never logged. The
// user sees one message for every wrong-credential case (no hint which part was wrong).

export const INVALID_CREDENTIALS_MESSAGE = "Incorrect e-mail, password or authentication code.";

export const signInSchema = z.object({
  email: z.string().trim().toLowerCase().max(254),
  password: z.string().max(1024),
  code: z.string().trim().max(64),
});
export type SignInInput = z.input<typeof signInSchema>;
export type SignInContext = { ip: string; userAgent: string | null; now?: Date };
export type SignedInStaff = { id: string; email: string; displayName: string; role: string };
export type SignInResult =
  | { ok: true; staff: SignedInStaff; sessionId: string }
  | { ok: false; message: string; reason: FailureReason };
type FailureReason = "throttled" | "bad-input" | "unknown-account" | "bad-password" | "disabled" | "not-enrolled" | "bad-code" | "code-reused" | "totp-secret-unreadable";

async function currentThrottle(email: string, ip: string, now: Date, ownAttemptId: string) {
  const since = new Date(now.getTime() - THROTTLE_LOOKBACK_MS);
  const select = { success: true, createdAt: true } as const;
  // Our own (already recorded) attempt is left out: it is the one being decided. Every attempt
  // recorded before this read is counted, including parallel ones still in flight (provisionally
  // failures), so parallel attempts cannot get more than THROTTLE_MAX_FAILURES past the check.
  const [byEmail, byIp] = await Promise.all([
    db().loginAttempt.findMany({ where: { email, createdAt: { gte: since }, id: { not: ownAttemptId } }, select }),
    // "unknown" is every client when no trusted proxy names them: throttling it would let
    // anyone lock everybody out, so only the account is throttled then.
    ip === UNKNOWN_ADDRESS
      ? Promise.resolve([])
      : db().loginAttempt.findMany({ where: { ip, createdAt: { gte: since }, id: { not: ownAttemptId } }, select }),
  ]);
  return combineThrottle(throttleDecision(byEmail, now, true), throttleDecision(byIp, now, false));
}

export async function signInWithCredentials(raw: SignInInput, ctx: SignInContext): Promise<SignInResult> {
  const now = ctx.now ?? new Date();
  const parsed = signInSchema.safeParse(raw);
  const input = parsed.success ? parsed.data : { email: String(raw.email ?? "").trim().toLowerCase().slice(0, 254), password: "", code: "" };
  const anonymous: Actor = { id: null, label: "anonymous", role: "anonymous", ip: ctx.ip, userAgent: ctx.userAgent };

  // The attempt is recorded first, as a failure, and only then is the throttle checked; a
  // successful sign-in turns its row into a success in the transaction that opens the session.
  const attempt = await db().loginAttempt.create({ data: { email: input.email, ip: ctx.ip, success: false, createdAt: now }, select: { id: true } });

  const fail = async (reason: FailureReason, staffId: string | null, message = INVALID_CREDENTIALS_MESSAGE): Promise<SignInResult> => {
    await db().$transaction(async (tx) => {
      await appendAccessLog(tx, {
        actor: anonymous,
        action: "auth.signin",
        outcome: "denied",
        target: staffId ? { type: "staff", ref: staffId } : undefined,
        details: { reason },
        at: now,
      });
    });
    return { ok: false, message, reason };
  };

  const throttle = await currentThrottle(input.email, ctx.ip, now, attempt.id);
  const staff = input.email ? await db().staff.findUnique({ where: { email: input.email } }) : null;
  if (throttle.throttled) return fail("throttled", staff?.id ?? null, throttleMessage(throttle.minutesLeft));
  if (!parsed.success || !input.email) return fail("bad-input", staff?.id ?? null);

  const passwordOk = await verifyPassword(input.password, staff?.passwordHash);
  if (!staff) return fail("unknown-account", null);
  if (!passwordOk) return fail("bad-password", staff.id);
  if (staff.disabledAt) return fail("disabled", staff.id);
  if (!staff.totpEnrolledAt || !staff.totpSecretEnc) return fail("not-enrolled", staff.id);

  const isTotp = /^\d{6}$/.test(input.code.replace(/\s+/g, ""));
  let step: number | null = null;
  try {
    step = isTotp ? verifyTotp(openTotpSecret(staff.totpSecretEnc), input.code, now) : null;
  } catch {
    return fail("totp-secret-unreadable", staff.id); // e.g. CUSTODIAN_MASTER_KEY changed
  }
  if (isTotp && step === null) return fail("bad-code", staff.id);

  const outcome = await db().$transaction(async (tx) => {
    if (step !== null) {
      if (!(await claimTotpStep(tx, staff.id, step))) return "code-reused" as const;
    } else if (!(await consumeRecoveryCode(tx, staff.id, input.code, now))) {
      return "bad-code" as const;
    }
    const sessionId = newSessionId();
    await tx.staffSession.create({
      data: {
        id: sessionId,
        staffId: staff.id,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + env().CUSTODIAN_SESSION_MAX_HOURS * 3_600_000),
        ip: ctx.ip,
        userAgent: ctx.userAgent,
      },
    });
    await tx.loginAttempt.update({ where: { id: attempt.id }, data: { success: true } });
    await appendAccessLog(tx, {
      actor: { id: staff.id, label: staff.email, role: staff.role, ip: ctx.ip, userAgent: ctx.userAgent },
      action: "auth.signin",
      outcome: "ok",
      target: { type: "staff", ref: staff.id },
      details: { factor: step !== null ? "totp" : "recovery-code" },
      at: now,
    });
    return sessionId;
  });
  if (outcome === "code-reused" || outcome === "bad-code") return fail(outcome, staff.id);
  return { ok: true, staff: { id: staff.id, email: staff.email, displayName: staff.displayName, role: staff.role }, sessionId: outcome };
}
