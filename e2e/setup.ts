// Prepares the browser tests' world before `next start`: a fresh console database (SQLite file or
// PostgreSQL database), copies of the real Sydent fixture registered as is1/is2, and one staff
// account per role (plus a second DPO) with known passwords and TOTP secrets, written to
// .tmp/e2e/credentials.json for the specs. Refuses to touch anything but local databases.
import fs from "node:fs";
import path from "node:path";
import bcrypt from "bcryptjs";
import { Secret } from "otpauth";
import pg from "pg";
import { migrateConsoleDb } from "@/lib/cli/migrate-runner";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { encryptSecret } from "@/lib/keys";
import { dateLogCopies } from "@/lib/logs/test-helpers";

export const FIXTURE_DIR = path.resolve("lib/test/fixtures/sydent-real");

export type E2eCredential = { email: string; password: string; totpSecret: string; role: string; displayName: string };

const STAFF: Omit<E2eCredential, "password" | "totpSecret">[] = [
  { email: "admin@e2e.test", role: "admin", displayName: "Ada Admin" },
  { email: "dpo@e2e.test", role: "dpo", displayName: "Dana DPO" },
  { email: "dpo2@e2e.test", role: "dpo", displayName: "Dev Second-DPO" },
  { email: "support@e2e.test", role: "support", displayName: "Sam Support" },
  { email: "auditor@e2e.test", role: "auditor", displayName: "Aud Itor" },
  { email: "login@e2e.test", role: "support", displayName: "Lou Login" },
];

async function freshPostgres(url: string) {
  const u = new URL(url);
  if (!["127.0.0.1", "localhost", "::1"].includes(u.hostname)) throw new Error(`Refusing non-local database ${u.hostname}`);
  const name = u.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
}

function copyFixture(dataDir: string) {
  const dest = path.join(dataDir, "fixture");
  fs.cpSync(FIXTURE_DIR, dest, { recursive: true });
  for (const f of fs.readdirSync(dest, { recursive: true }) as string[]) {
    fs.chmodSync(path.join(dest, f), fs.statSync(path.join(dest, f)).isDirectory() ? 0o755 : 0o644);
  }
  fs.chmodSync(dest, 0o755);
  // Log files dated by their last line (a fresh copy looks "written just now" and retention
  // enforcement would leave it alone).
  dateLogCopies(dest);
  return dest;
}

async function main() {
  const e = env();
  const dataDir = path.resolve(e.CUSTODIAN_DATA_DIR);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  if (e.consoleDbKind === "postgresql") await freshPostgres(e.CONSOLE_DATABASE_URL);
  await migrateConsoleDb(e.CONSOLE_DATABASE_URL);

  const fixture = copyFixture(dataDir);
  const truth = JSON.parse(fs.readFileSync(path.join(fixture, "truth.json"), "utf8"));
  for (const label of ["is1", "is2"]) {
    await db().identityServer.create({
      data: {
        label,
        serverName: truth.instances[label].server_name,
        dbPath: path.join(fixture, `${label}.db`),
        sydentLogPaths: JSON.stringify([path.join(fixture, label, "sydent.log*")]),
        haproxyLogPaths: JSON.stringify([path.join(fixture, "haproxy", "haproxy.log*")]),
        // No Sydent serves these copies: declared stopped, so erasures write them directly (after the proof).
        sydentMode: "stopped", sydentModeAt: new Date(), sydentModeBy: "e2e setup", sydentModeNote: "fixture copy; no Sydent process",
      },
    });
  }

  const creds: E2eCredential[] = [];
  for (const s of STAFF) {
    const password = `e2e-${s.role}-${Math.random().toString(36).slice(2, 10)}-Pass!`;
    const totpSecret = new Secret({ size: 20 }).base32;
    await db().staff.create({
      data: {
        email: s.email,
        displayName: s.displayName,
        role: s.role,
        passwordHash: await bcrypt.hash(password, 10),
        totpSecretEnc: encryptSecret(totpSecret),
        totpEnrolledAt: new Date(),
      },
    });
    creds.push({ ...s, password, totpSecret });
  }
  fs.writeFileSync(path.join(dataDir, "credentials.json"), JSON.stringify(creds, null, 2), { mode: 0o600 });
  await db().$disconnect();
  console.log(`e2e setup: ${e.consoleDbKind} console database, ${creds.length} staff, fixture servers is1/is2`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
