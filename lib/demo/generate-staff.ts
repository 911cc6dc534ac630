import { Secret } from "otpauth";
import { hashPassword } from "@/lib/auth/password";
import { sealTotpSecret, totpUri } from "@/lib/auth/totp";
import type { Role } from "@/lib/authz";
import { db } from "@/lib/db";
import { createRng } from "@/lib/demo/prng";

// Demo staff (one per role, plus a second DPO for separation-of-duties walkthroughs) and the
// two demo identity servers, written straight into the console database. Re-running replaces
// them in place (upsert by e-mail / server name): no duplicates, and the printed credentials
// are the current ones. Passwords and TOTP secrets come from the seeded PRNG.

export type DemoSignIn = {
  role: Role;
  email: string;
  displayName: string;
  password: string;
  totpSecret: string;
  otpauthUri: string;
};

export const DEMO_STAFF: readonly { role: Role; email: string; displayName: string }[] = [
  { role: "admin", email: "admin@custodian.test", displayName: "Ada Admin" },
  { role: "dpo", email: "dpo@custodian.test", displayName: "Dana Protection" },
  { role: "dpo", email: "dpo2@custodian.test", displayName: "Dev Oversight" },
  { role: "support", email: "support@custodian.test", displayName: "Sam Support" },
  { role: "auditor", email: "auditor@custodian.test", displayName: "Alex Auditor" },
];

/** RFC 4648 base32 (no padding), through otpauth's Secret: the same encoder the verifier uses. */
export function base32(bytes: Buffer): string {
  return new Secret({ buffer: new Uint8Array(bytes).buffer }).base32;
}

export async function seedDemoStaff(seed: string, now = new Date()): Promise<DemoSignIn[]> {
  const r = createRng(seed, "staff");
  const out: DemoSignIn[] = [];
  for (const s of DEMO_STAFF) {
    const password = `${r.alnum(6)}-${r.alnum(6)}-${r.alnum(6)}`;
    const totpSecret = base32(r.bytes(20));
    const data = {
      displayName: s.displayName,
      role: s.role,
      passwordHash: await hashPassword(password),
      totpSecretEnc: sealTotpSecret(totpSecret),
      totpEnrolledAt: now,
      enrolTokenHash: null,
      enrolTokenExpires: null,
      disabledAt: null,
    };
    await db().staff.upsert({ where: { email: s.email }, update: data, create: { email: s.email, ...data } });
    out.push({ ...s, password, totpSecret, otpauthUri: totpUri(totpSecret, s.email) });
  }
  return out;
}

export type DemoServerRegistration = {
  label: string;
  serverName: string;
  dbPath: string;
  sydentLogPaths: string[];
  haproxyLogPaths: string[];
};

export async function registerDemoServers(servers: DemoServerRegistration[]): Promise<{ id: string; label: string }[]> {
  const out: { id: string; label: string }[] = [];
  for (const s of servers) {
    const data = {
      label: s.label,
      dbPath: s.dbPath,
      sydentLogPaths: JSON.stringify(s.sydentLogPaths),
      haproxyLogPaths: JSON.stringify(s.haproxyLogPaths),
      disabledAt: null,
      // The demo's databases are files no Sydent serves: declared stopped (server:mode to change).
      sydentMode: "stopped", sydentModeAt: new Date(), sydentModeBy: "demo:generate", sydentModeNote: "demo database; no Sydent process",
    };
    // A row holding the label under another server name would break the unique label.
    await db().identityServer.deleteMany({ where: { label: s.label, NOT: { serverName: s.serverName } } });
    const row = await db().identityServer.upsert({
      where: { serverName: s.serverName },
      update: data,
      create: { serverName: s.serverName, ...data },
      select: { id: true, label: true },
    });
    out.push(row);
  }
  return out;
}
