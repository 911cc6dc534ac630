import fs from "node:fs";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { createConsoleDb, db, sqlitePathFromUrl, type ConsoleDb } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";
import { recordAccess } from "@/lib/audit/log";
import { resolveOperator } from "@/lib/cli/operator";
import { parsePublicKey } from "@/lib/audit/checkpoint-key";
import { runWitness } from "@/lib/audit/witness";
import { couldNotVerify, workersOption } from "@/lib/cli/commands/audit-verify";

// Run from an auditor's own machine (cron), with a read-only database role: fetches the latest
// signed tree head, proves it consistent with every head stored in --dir, recomputes the tree from
// the entries, and stores the new head. Exit 0 consistent (head stored), 1 INCONSISTENT (nothing
// stored; every problem named on stderr), 2 could not witness (or, with --operator, could not
// record a consistent run). See lib/audit/witness.ts.
// With --operator the run is also recorded in the access log ("accessLog.witness", like
// audit:verify --operator): the only way the console learns that a witness is alive (the
// auditor's workspace flags "witnesses silent" without it). That needs the console's
// configuration and a database role that may append to the log; without --operator the witness
// writes nothing to the database.

export default defineCommand({
  name: "audit:witness",
  summary: "Witness the access log: check the latest signed tree head against every head stored in --dir and store it.",
  options: {
    dir: { type: "string", description: "The witness directory (kept outside the console's reach)." },
    db: { type: "string", description: "Console database (file:<path> or postgresql://, a read-only role is enough); default CONSOLE_DATABASE_URL." },
    "public-key": { type: "string", description: "The checkpoint key's .pub file to pin (otherwise the key in --dir, or the first head's key on the first run)." },
    workers: { type: "string", description: "SQLite: worker threads hashing in parallel (default: the cores, at most 4; 0 = this thread only)." },
    operator: { type: "string", description: "Staff e-mail with accessLog.verify: record the run in the access log (accessLog.witness), so the console sees the witness; needs the console's configuration and a role that may append." },
  },
  async run({ values }) {
    const dir = values.dir as string | undefined;
    if (!dir) throw new UsageError("--dir is required");
    const workers = workersOption(values.workers);
    const keyFile = values["public-key"] as string | undefined;
    if (keyFile && !fs.existsSync(keyFile)) throw new UsageError(`No such public key file: ${keyFile}`);
    let key;
    try {
      key = keyFile ? parsePublicKey(fs.readFileSync(keyFile, "utf8")) : undefined;
    } catch (e) {
      throw new UsageError(`${keyFile}: ${(e as Error).message}`);
    }
    const url = (values.db as string | undefined) ?? process.env.CONSOLE_DATABASE_URL ?? "file:./data/console.db";
    if (url.startsWith("file:") && !fs.existsSync(sqlitePathFromUrl(url))) throw new UsageError(`No such SQLite database: ${sqlitePathFromUrl(url)}`);
    const operator = values.operator as string | undefined;
    let client: ConsoleDb;
    try {
      if (operator) {
        process.env.CONSOLE_DATABASE_URL = url;
        resetEnvCache();
        client = db();
      } else {
        client = createConsoleDb(url);
      }
    } catch (e) {
      console.error(`Could not witness: ${couldNotVerify(e)}`);
      return 2;
    }
    try {
      let actor = null;
      try {
        actor = operator ? await resolveOperator(operator, "accessLog.verify") : null;
      } catch (e) {
        // Not a finding about the log (exit 1 is reserved for that): the operator is unknown, or the
        // database cannot be read or refuses the staff table to this role.
        console.error(`Could not witness: --operator: ${couldNotVerify(e)}`);
        return 2;
      }
      let report;
      try {
        report = await runWitness(client, dir, key, url.startsWith("file:") ? sqlitePathFromUrl(url) : undefined, { workers });
      } catch (e) {
        console.error(`Could not witness: ${couldNotVerify(e)}`);
        return 2;
      }
      printJson(report);
      let unrecorded = false;
      if (actor) {
        const details = { ok: report.ok, size: report.latest?.size ?? null, observedSize: report.observed?.size ?? null, storedHeads: report.storedHeads, firstRun: report.firstRun, problems: report.problems.map((p) => p.reason) };
        try {
          await recordAccess({ actor, action: "accessLog.witness", outcome: report.ok ? "ok" : "error", details });
        } catch (e) {
          console.error(`Could not record the run in the access log (accessLog.witness): ${couldNotVerify(e)}`);
          unrecorded = true;
        }
      }
      if (!report.ok) {
        console.error("ACCESS LOG NOT CONSISTENT WITH WITNESSED HEADS (nothing stored):");
        for (const p of report.problems) console.error(`  - ${p.reason}: ${p.detail}`);
        return 1;
      }
      if (report.firstRun) console.error(`First run: pinned signing key ${report.latest?.keyId} in ${report.pinnedKeyFile}; compare it with the console's .pub file.`);
      return unrecorded ? 2 : 0;
    } finally {
      if (!operator) await client.$disconnect();
    }
  },
});
