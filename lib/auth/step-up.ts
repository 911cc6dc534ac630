import { recordAccess } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { openTotpSecret, verifyTotp } from "@/lib/auth/totp";
import { claimTotpStep } from "@/lib/auth/totp-replay";

// A fresh second-factor code for an approval (packages, erasures, bulk batches, staff grants) or
// another sensitive change: the staff member's current authenticator code, verified and claimed
// exactly like a sign-in code (lib/auth/totp + totp-replay: a code works once, across sign-in,
// the console and the command line). A refusal changes nothing and writes a denied
// `auth.code.verify` entry naming the action it was for. The command line uses the same check
// (lib/cli/operator.ts).

export type CodeRefusal = "code-missing" | "not-enrolled" | "bad-code" | "code-reused" | "totp-secret-unreadable";

export const CODE_MESSAGES: Record<CodeRefusal, string> = {
  "code-missing": "Enter the current code from your authenticator app: approvals need a fresh code.",
  "not-enrolled": "Your account has no authenticator yet: finish enrolment first.",
  "bad-code": "That authenticator code does not match. Nothing was changed; enter your current code.",
  "code-reused": "That authenticator code was already used. Nothing was changed; wait for the next code.",
  "totp-secret-unreadable": "Your authenticator secret cannot be read (has CUSTODIAN_MASTER_KEY changed?). Nothing was changed.",
};

/** Verifies and claims `code` for the staff member; null when accepted, else why not. */
export async function checkStaffCode(staffId: string, code: unknown, now = new Date()): Promise<CodeRefusal | null> {
  const typed = typeof code === "string" ? code.replace(/\s+/g, "") : "";
  if (!typed) return "code-missing";
  const staff = await db().staff.findUnique({ where: { id: staffId }, select: { id: true, totpSecretEnc: true, totpEnrolledAt: true } });
  if (!staff?.totpEnrolledAt || !staff.totpSecretEnc) return "not-enrolled";
  let step: number | null;
  try {
    step = verifyTotp(openTotpSecret(staff.totpSecretEnc), typed, now);
  } catch {
    return "totp-secret-unreadable";
  }
  if (step === null) return "bad-code";
  const claimed = await db().$transaction((tx) => claimTotpStep(tx, staff.id, step));
  return claimed ? null : "code-reused";
}

export type StepUpResult = { ok: true } | { ok: false; reason: CodeRefusal; message: string };

/** The console's step-up: check the operator's code for `purpose` (e.g. "exports.approve"); a
 * refusal is access-logged (denied) and returned with a message for the form. */
export async function requireFreshCode(actor: Actor, code: unknown, purpose: string, details: Record<string, string> = {}, now = new Date()): Promise<StepUpResult> {
  if (!actor.id) return { ok: false, reason: "not-enrolled", message: CODE_MESSAGES["not-enrolled"] };
  const reason = await checkStaffCode(actor.id, code, now);
  if (!reason) return { ok: true };
  await recordAccess({ actor, action: "auth.code.verify", outcome: "denied", target: { type: "staff", ref: actor.id }, details: { for: purpose, reason, ...details }, at: now });
  return { ok: false, reason, message: CODE_MESSAGES[reason] };
}
