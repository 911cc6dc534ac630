import bcrypt from "bcryptjs";
import { db } from "@/lib/db";
import { generateTotpSecret, sealTotpSecret } from "@/lib/auth/totp";
import { hashRecoveryCode, generateRecoveryCodes } from "@/lib/auth/recovery-codes";

// Test factory (tests only): an enrolled staff member with a known password, TOTP secret and
// recovery codes. Uses bcrypt cost 4 to keep tests fast; verification accepts any cost.

let counter = 0;

export async function seedEnrolledStaff(opts: { role?: string; email?: string; password?: string } = {}) {
  counter += 1;
  const email = opts.email ?? `staff${counter}-${Math.random().toString(36).slice(2, 8)}@custodian.test`;
  const password = opts.password ?? "correct horse battery staple";
  const totpSecret = generateTotpSecret();
  const recoveryCodes = generateRecoveryCodes();
  const staff = await db().staff.create({
    data: {
      email,
      displayName: `Staff ${counter}`,
      role: opts.role ?? "support",
      passwordHash: await bcrypt.hash(password, 4),
      totpSecretEnc: sealTotpSecret(totpSecret),
      totpEnrolledAt: new Date("2026-01-01T00:00:00Z"),
      recoveryCodes: { create: recoveryCodes.map((c) => ({ codeHash: hashRecoveryCode(c) })) },
    },
  });
  return { staff, email, password, totpSecret, recoveryCodes };
}
