import crypto from "node:crypto";
import bcrypt from "bcryptjs";

// Staff passwords: bcrypt, cost 12 for every new hash. Also used by the demo seeder and the CLI.

export const BCRYPT_COST = 12;
export const MIN_PASSWORD_LENGTH = 12;

export async function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

/**
 * Compares against the stored hash. An account that has not finished enrolment has an unusable
 * hash ("!" prefix), which never matches; the dummy comparison keeps the timing the same.
 */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  if (!hash || !hash.startsWith("$2")) {
    await bcrypt.compare(password, DUMMY_HASH);
    return false;
  }
  return bcrypt.compare(password, hash);
}

/** Stored in passwordHash until enrolment sets a real one: not a bcrypt hash, so nothing matches. */
export function unusablePasswordHash(): string {
  return `!unusable:${crypto.randomBytes(16).toString("hex")}`;
}

/** A random password for the CLI bootstrap path (24 characters from a readable alphabet). */
export function generatePassword(length = 24): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const bytes = crypto.randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

// bcrypt of a random string at cost 12: compared against when the account does not exist.
const DUMMY_HASH = "$2b$12$/j/La92lvNBgLqtpfVyfReXuAndHoLh8geFCursvIyXrq0xpNViwG";
