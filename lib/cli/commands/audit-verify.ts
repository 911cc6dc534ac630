import fs from "node:fs";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { createConsoleDb, db, sqlitePathFromUrl, type ConsoleDb } from "@/lib/db";
import { ConfigError, resetEnvCache } from "@/lib/env";
import type { Actor } from "@/lib/audit/types";
import { recordAccess } from "@/lib/audit/log";
import { verifyAccessLog, verifyLogDetails } from "@/lib/audit/verify";
import { resolveOperator } from "@/lib/cli/operator";
import { parsePublicKey } from "@/lib/audit/checkpoint-key";
import { loadWitnessDir, readPinnedKey, type WitnessedHead } from "@/lib/audit/witness-store";

/** Why a database could not be verified, in one line (exit 2), instead of a stack trace. */
export function couldNotVerify(e: unknown): string {
  if (e instanceof ConfigError) return `configuration: ${e.problems.join("; ")}`;
  const m = (e as Error)?.message ?? String(e);
  if (/does not exist|no such table|P2021/i.test(m)) return "not a console database: the access-log tables are missing";
  if (/ECONNREFUSED|Can't reach|connect|getaddrinfo|authentication failed|password/i.test(m)) return `database unreachable: ${m.split("\n").filter(Boolean).at(-1)}`;
  if (/not a database|file is (encrypted|not a database)|malformed/i.test(m)) return "not an SQLite database, or a damaged one";
  return m.split("\n").filter(Boolean).at(-1) ?? "unknown error";
}

function couldNot(cause: string): 2 {
  console.error(`Could not verify: ${cause}`);
  return 2;
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
// run is itself logged as "accessLog.verify" (which needs the console's configuration), after the
// verdict is printed. Exit 1 means only "not intact"; everything else that goes wrong (no such
// file, unreachable, not a console database, unknown operator, bad configuration) is exit 2 with
// one line on stderr.

export default defineCommand({
  name: "audit:verify",
  summary: "Verify the access log's hash chain, Merkle tree heads and witnessed heads; exit 0 intact, 1 not intact, 2 could not verify (or, with --operator, an intact result could not be recorded).",
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
        return couldNot(`witness directory: ${(e as Error).message}`);
      }
    }
    const url = (values.db as string | undefined) ?? process.env.CONSOLE_DATABASE_URL ?? "file:./data/console.db";
    if (url.startsWith("file:") && !fs.existsSync(sqlitePathFromUrl(url))) return couldNot(`no such SQLite database: ${sqlitePathFromUrl(url)}`);

    // From here every failure that is not a finding about the log is "could not verify" (exit 2,
    // one line): opening the database, finding the operator in it, reading the log.
    let client: ConsoleDb;
    let own = false;
    const operator = values.operator as string | undefined;
    try {
      if (operator) {
        process.env.CONSOLE_DATABASE_URL = url;
        resetEnvCache();
        client = db();
      } else {
        client = createConsoleDb(url);
        own = true;
      }
    } catch (e) {
      return couldNot(couldNotVerify(e));
    }
    try {
      let actor: Actor | null = null;
      if (operator) {
        try {
          actor = await resolveOperator(operator, "accessLog.verify");
        } catch (e) {
          return couldNot(e instanceof UsageError ? `--operator: ${e.message}` : couldNotVerify(e));
        }
      }
      let result;
      try {
        result = await verifyAccessLog(client, { publicKey, pageSize, witnessed, workers, sqliteFile: url.startsWith("file:") ? sqlitePathFromUrl(url) : undefined, maxWitnessAgeMs: maxAgeH * 3600_000 });
      } catch (e) {
        return couldNot(couldNotVerify(e));
      }
      // The verdict is reported before the run is recorded, so a failed record cannot hide it.
      printJson(result);
      for (const w of result.warnings) console.error(`Warning: ${w}`);
      if (!result.ok) console.error(`Access log NOT intact: first broken seq ${result.firstBroken?.seq}: ${result.firstBroken?.reason}`);
      if (actor) {
        try {
          await recordAccess({ actor, action: "accessLog.verify", outcome: result.ok ? "ok" : "error", details: verifyLogDetails(result) });
        } catch (e) {
          // Not intact stays exit 1 (the finding matters more); an intact log whose run is not on
          // record is exit 2, so a nightly job notices that its run left no trace.
          console.error(`${result.ok ? "Access log intact, but the" : "The"} result could not be recorded in the access log: ${couldNotVerify(e)}`);
          return result.ok ? 2 : 1;
        }
      }
      return result.ok ? 0 : 1;
    } finally {
      if (own) await client.$disconnect().catch(() => {});
    }
  },
});
