import fs from "node:fs";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { createConsoleDb, db, sqlitePathFromUrl, type ConsoleDb } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";
import { recordAccess } from "@/lib/audit/log";
import { verifyAccessLog, verifyLogDetails } from "@/lib/audit/verify";
import { resolveOperator } from "@/lib/cli/operator";
import { parsePublicKey } from "@/lib/audit/checkpoint-key";
import { loadWitnessDir, readPinnedKey, type WitnessedHead } from "@/lib/audit/witness-store";

/** Why a database could not be verified, in one line (exit 2), instead of a stack trace. */
export function couldNotVerify(e: unknown): string {
  const m = (e as Error)?.message ?? String(e);
  if (/does not exist|no such table|P2021/i.test(m)) return "not a console database: the access-log tables are missing";
  if (/ECONNREFUSED|Can't reach|connect|getaddrinfo|authentication failed|password/i.test(m)) return `database unreachable: ${m.split("\n").filter(Boolean).at(-1)}`;
  if (/not a database|file is (encrypted|not a database)|malformed/i.test(m)) return "not an SQLite database, or a damaged one";
  return m.split("\n").filter(Boolean).at(-1) ?? "unknown error";
}

/** --workers: a whole number 0..64, or undefined for the default. */
export function workersOption(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= 0 && n <= 64)) throw new UsageError("--workers must be a whole number between 0 and 64");
  return n;
}

// audit:verify works offline: without --operator it needs nothing but the database URL (no
// console secrets), so an auditor can run it against a copy of the database. With --operator the
// run is itself logged as "accessLog.verify" (which needs the console's configuration).

export default defineCommand({
  name: "audit:verify",
  summary: "Verify the access log's hash chain, Merkle tree heads and witnessed heads; exit 0 intact, 1 not intact, 2 could not verify.",
  options: {
    "public-key": { type: "string", description: "Pinned checkpoint public key file (the .pub SPKI PEM beside the key, or base64 raw 32 bytes); every checkpoint must be signed by it." },
    db: { type: "string", description: "Database to verify (file:<path> or postgresql://...); default CONSOLE_DATABASE_URL." },
    operator: { type: "string", description: "Staff e-mail with accessLog.verify: record the run in the access log." },
    "page-size": { type: "string", description: "Entries read per query (default 5000)." },
    "witness-dir": { type: "string", description: "A witness directory (audit:witness) or publish directory: the log must be consistent with every head in it." },
    "max-witness-age": { type: "string", description: "Hours without a witnessed head before a warning (default 24)." },
    workers: { type: "string", description: "SQLite: worker threads hashing entries in parallel (default: the cores, at most 4; 0 = this thread only)." },
  },
  async run({ values }) {
    const pageSize = values["page-size"] ? Number(values["page-size"]) : undefined;
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize > 0 && pageSize <= 100_000)) {
      throw new UsageError("--page-size must be a whole number between 1 and 100000");
    }
    const workers = workersOption(values.workers);
    const keyFile = values["public-key"] as string | undefined;
    if (keyFile && !fs.existsSync(keyFile)) throw new UsageError(`No such public key file: ${keyFile}`);
    let publicKey = keyFile ? fs.readFileSync(keyFile, "utf8") : undefined;
    const maxAgeH = values["max-witness-age"] ? Number(values["max-witness-age"]) : 24;
    if (!(maxAgeH > 0)) throw new UsageError("--max-witness-age must be a positive number of hours");
    let witnessed: WitnessedHead[] | undefined;
    const witnessDir = values["witness-dir"] as string | undefined;
    if (witnessDir) {
      if (!fs.existsSync(witnessDir)) throw new UsageError(`No such witness directory: ${witnessDir}`);
      try {
        const dirKey = readPinnedKey(witnessDir);
        if (!publicKey && dirKey) publicKey = dirKey.export({ format: "pem", type: "spki" }) as string;
        witnessed = loadWitnessDir(witnessDir, publicKey ? parsePublicKey(publicKey) : undefined);
      } catch (e) {
        console.error(`Could not verify: witness directory: ${(e as Error).message}`);
        return 2;
      }
    }
    const url = (values.db as string | undefined) ?? process.env.CONSOLE_DATABASE_URL ?? "file:./data/console.db";
    if (url.startsWith("file:") && !fs.existsSync(sqlitePathFromUrl(url))) {
      throw new UsageError(`No such SQLite database: ${sqlitePathFromUrl(url)}`);
    }

    let client: ConsoleDb;
    let own = false;
    const operator = values.operator as string | undefined;
    if (operator) {
      process.env.CONSOLE_DATABASE_URL = url;
      resetEnvCache();
      client = db();
    } else {
      client = createConsoleDb(url);
      own = true;
    }
    try {
      const actor = operator ? await resolveOperator(operator, "accessLog.verify") : null;
      let result;
      try {
        result = await verifyAccessLog(client, { publicKey, pageSize, witnessed, workers, sqliteFile: url.startsWith("file:") ? sqlitePathFromUrl(url) : undefined, maxWitnessAgeMs: maxAgeH * 3600_000 });
      } catch (e) {
        console.error(`Could not verify: ${couldNotVerify(e)}`);
        return 2;
      }
      if (actor) {
        await recordAccess({ actor, action: "accessLog.verify", outcome: result.ok ? "ok" : "error", details: verifyLogDetails(result) });
      }
      printJson(result);
      for (const w of result.warnings) console.error(`Warning: ${w}`);
      if (!result.ok) console.error(`Access log NOT intact: first broken seq ${result.firstBroken?.seq}: ${result.firstBroken?.reason}`);
      return result.ok ? 0 : 1;
    } finally {
      if (own) await client.$disconnect();
    }
  },
});
