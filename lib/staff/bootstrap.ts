import { withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { generatePassword, hashPassword } from "@/lib/auth/password";
import { generateTotpSecret, sealTotpSecret, totpUri } from "@/lib/auth/totp";
import { replaceRecoveryCodes } from "@/lib/auth/recovery-codes";
import { countActiveAdmins, StaffRuleError } from "@/lib/staff/manage-staff";

// The bootstrap path (npm run cli -- staff:create-admin): a fully enrolled admin whose password,
// TOTP secret and recovery codes are returned once to the operator at the terminal. Only allowed
// while no active admin exists, or on behalf of an existing admin (--operator).

export type CreatedAdmin = {
  id: string;
  email: string;
  displayName: string;
  password: string;
  totpSecret: string;
  otpauthUri: string;
  recoveryCodes: string[];
};

export async function createBootstrapAdmin(
  input: { email: string; displayName: string },
  operator: Actor | null,
  now = new Date(),
): Promise<CreatedAdmin> {
  const email = input.email.trim().toLowerCase();
  if (!operator && (await countActiveAdmins(db())) > 0) {
    throw new StaffRuleError("An active admin already exists: pass --operator <admin e-mail> to add another.");
  }
  const password = generatePassword();
  const totpSecret = generateTotpSecret();
  const passwordHash = await hashPassword(password);
  const actor: Actor = operator ?? { id: null, label: `cli:${email}`, role: "admin", ip: null, userAgent: "custodian-cli" };
  const created = await withAccessLog(
    (r: { id: string }) => ({ actor, action: "staff.create", outcome: "ok", target: { type: "staff", ref: r.id }, details: { role: "admin", via: "cli" }, at: now }),
    async (tx) => {
      if (await tx.staff.findUnique({ where: { email }, select: { id: true } })) {
        throw new StaffRuleError(`A staff account "${email}" already exists.`);
      }
      const staff = await tx.staff.create({
        data: {
          email,
          displayName: input.displayName.trim(),
          role: "admin",
          passwordHash,
          totpSecretEnc: sealTotpSecret(totpSecret),
          totpEnrolledAt: now,
        },
        select: { id: true },
      });
      return { id: staff.id, recoveryCodes: await replaceRecoveryCodes(tx, staff.id) };
    },
  );
  return {
    id: created.id,
    email,
    displayName: input.displayName.trim(),
    password,
    totpSecret,
    otpauthUri: totpUri(totpSecret, email),
    recoveryCodes: created.recoveryCodes,
  };
}
