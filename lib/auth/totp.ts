import * as OTPAuth from "otpauth";
import { decryptSecret, encryptSecret } from "@/lib/keys";

// TOTP (RFC 6238): SHA1, 6 digits, 30-second steps, one step of tolerance either side. The
// secret is stored as encryptSecret(<base32 secret>) in Staff.totpSecretEnc (the demo seeder
// writes the same format). Verification returns the matched time-step so callers can refuse a
// code that was already used (lib/auth/totp-replay.ts).

export const TOTP_ISSUER = "Custodian";
export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;
export const TOTP_WINDOW = 1;

function totpFor(base32Secret: string, label = "staff"): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: "SHA1",
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD,
    secret: OTPAuth.Secret.fromBase32(base32Secret),
  });
}

/** A fresh 160-bit secret, base32. */
export function generateTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

export function totpUri(base32Secret: string, email: string): string {
  return totpFor(base32Secret, email).toString();
}

export function timeStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD);
}

/** The code for `now` (tests, demo data). */
export function totpCode(base32Secret: string, now = new Date()): string {
  return totpFor(base32Secret).generate({ timestamp: now.getTime() });
}

/** The time-step the code belongs to, or null when it matches none within the window. */
export function verifyTotp(base32Secret: string, code: string, now = new Date()): number | null {
  const token = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpFor(base32Secret).validate({ token, timestamp: now.getTime(), window: TOTP_WINDOW });
  return delta === null ? null : timeStep(now) + delta;
}

export function sealTotpSecret(base32Secret: string): string {
  return encryptSecret(base32Secret);
}

export function openTotpSecret(sealed: string): string {
  return decryptSecret(sealed);
}
