import crypto from "node:crypto";
import type { ConsoleTx } from "@/lib/db";

// One-time recovery codes: ten random codes (50 bits each), shown once, stored as sha256 (they
// are random and high-entropy, so a slow hash adds nothing). Using one marks it used.

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i
const CODE_PATTERN = /^[a-z0-9]{10}$/;

export function normaliseRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]+/g, "");
}

export function isRecoveryCodeShaped(input: string): boolean {
  return CODE_PATTERN.test(normaliseRecoveryCode(input));
}

export function hashRecoveryCode(code: string): string {
  return crypto.createHash("sha256").update(normaliseRecoveryCode(code)).digest("hex");
}

function randomCode(): string {
  const chars = Array.from({ length: 10 }, () => ALPHABET[crypto.randomInt(ALPHABET.length)]);
  return `${chars.slice(0, 5).join("")}-${chars.slice(5).join("")}`;
}

export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, randomCode);
}

/** Replaces every code of the staff member with fresh ones; returns them (plain) to show once. */
export async function replaceRecoveryCodes(tx: ConsoleTx, staffId: string): Promise<string[]> {
  const codes = generateRecoveryCodes();
  await tx.recoveryCode.deleteMany({ where: { staffId } });
  await tx.recoveryCode.createMany({ data: codes.map((c) => ({ staffId, codeHash: hashRecoveryCode(c) })) });
  return codes;
}

/** Marks the matching unused code used; false when there is none. Atomic: a code works once. */
export async function consumeRecoveryCode(tx: ConsoleTx, staffId: string, code: string, now: Date): Promise<boolean> {
  if (!isRecoveryCodeShaped(code)) return false;
  const { count } = await tx.recoveryCode.updateMany({
    where: { staffId, codeHash: hashRecoveryCode(code), usedAt: null },
    data: { usedAt: now },
  });
  return count === 1;
}

export async function countUnusedRecoveryCodes(tx: ConsoleTx, staffId: string): Promise<number> {
  return tx.recoveryCode.count({ where: { staffId, usedAt: null } });
}
