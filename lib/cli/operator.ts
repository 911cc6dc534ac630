import { db } from "@/lib/db";
import { UsageError } from "@/lib/cli/command";
import type { Actor } from "@/lib/audit/types";
import { recordAccess } from "@/lib/audit/log";
import { can, isRole, type Permission } from "@/lib/authz";
import { checkStaffCode, type CodeRefusal } from "@/lib/auth/step-up";

// Commands act on behalf of a named operator (--operator <staff e-mail>), so their access-log
// entries are attributed like any other. An operator that is not an active staff member is
// refused, except where a command says otherwise (creating the first admin).
// Commands that approve, execute or reveal also need --code: the named operator's current
// authenticator code, checked and claimed like a sign-in (a code works once), so one shell user
// cannot act as two people (generate as A, approve as B) by naming them.

export async function resolveOperator(email: string | undefined, permission?: Permission): Promise<Actor> {
  if (!email) throw new UsageError("--operator <staff e-mail> is required: the access log names who ran this.");
  const staff = await db().staff.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!staff || staff.disabledAt) throw new UsageError(`No active staff account "${email}".`);
  if (permission && !(isRole(staff.role) && can(staff.role, permission))) {
    throw new UsageError(`${email} has role ${staff.role}, which lacks the permission ${permission}.`);
  }
  return { id: staff.id, label: `cli:${staff.email}`, role: staff.role, ip: null, userAgent: "custodian-cli" };
}

export const codeOption = {
  code: { type: "string" as const, description: "The operator's current 6-digit authenticator code (required: proves who runs this)." },
};

/** Refused: exit 1 (the generic error path of lib/cli/index.ts), with a denied access-log entry. */
export class OperatorRefused extends Error {}

type Reason = CodeRefusal;
const MESSAGES: Record<Reason, string> = {
  "code-missing": "--code <current authenticator code of the operator> is required for this command.",
  "not-enrolled": "The operator has not finished enrolment (no authenticator).",
  "bad-code": "The authenticator code does not match; use the operator's current code.",
  "code-reused": "That authenticator code was already used; wait for the next one.",
  "totp-secret-unreadable": "The operator's authenticator secret cannot be read (has CUSTODIAN_MASTER_KEY changed?).",
};

/** resolveOperator plus the operator's current TOTP code (verifyTotp + claimTotpStep). */
export async function resolveVerifiedOperator(
  email: string | undefined,
  code: unknown,
  permission: Permission,
  command: string,
  now = new Date(),
): Promise<Actor> {
  const actor = await resolveOperator(email, permission);
  // The same check as the console's approvals (lib/auth/step-up.ts): verified and claimed once.
  const reason: Reason | null = await checkStaffCode(actor.id!, code, now);
  const staff = { id: actor.id! };
  if (reason) {
    await recordAccess({ actor, action: "cli.operator.verify", outcome: "denied", target: { type: "staff", ref: staff.id }, details: { command, permission, reason }, at: now });
    throw new OperatorRefused(MESSAGES[reason]);
  }
  return actor;
}
