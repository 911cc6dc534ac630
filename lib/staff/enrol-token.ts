import crypto from "node:crypto";
import { env } from "@/lib/env";

// One-time enrolment links: a random token shown once to the admin, kept only as sha256.

export const ENROL_TOKEN_TTL_MS = 72 * 3_600_000;

export function hashEnrolToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

export function newEnrolToken(now: Date): { token: string; hash: string; expires: Date } {
  const token = crypto.randomBytes(32).toString("base64url");
  return { token, hash: hashEnrolToken(token), expires: new Date(now.getTime() + ENROL_TOKEN_TTL_MS) };
}

/** The token travels in the URL fragment, which browsers never send: it stays out of server
 * and proxy access logs. The page reads it in the browser and posts it (lib/staff/actions.ts). */
export function enrolLink(token: string): string {
  return new URL(`/enrol#token=${encodeURIComponent(token)}`, env().NEXTAUTH_URL).toString();
}
