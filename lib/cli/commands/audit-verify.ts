import fs from "node:fs";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { createConsoleDb, db, sqlitePathFromUrl, type ConsoleDb } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";
import { recordAccess } from "@/lib/audit/log";
import { verifyAccessLog, verifyLogDetails } from "@/lib/audit/verify";
import { resolveOperator } from "@/lib/cli/operator";

// audit:verify works offline: without --operator it needs nothing but the database URL (no
// console secrets), so an auditor can run it against a copy of the database. With --operator the
// run is itself logged as "accessLog.verify" (which needs the console's configuration).

export default defineCommand({
  name: "audit:verify",
  summary: "Verify the access log's hash chain and signed checkpoints; JSON result, exit 0 if intact, 1 if not.",
  options: {
    "public-key": { type: "string", description: "Pinned checkpoint public key file (the .pub SPKI PEM beside the key, or base64 raw 32 bytes); every checkpoint must be signed by it." },
    db: { type: "string", description: "Database to verify (file:<path> or postgresql://...); default CONSOLE_DATABASE_URL." },
    operator: { type: "string", description: "Staff e-mail with accessLog.verify: record the run in the access log." },
    "page-size": { type: "string", description: "Entries read per query (default 5000)." },
  },
  async run({ values }) {
    const pageSize = values["page-size"] ? Number(values["page-size"]) : undefined;
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize > 0 && pageSize <= 100_000)) {
      throw new UsageError("--page-size must be a whole number between 1 and 100000");
    }
    const keyFile = values["public-key"] as string | undefined;
    if (keyFile && !fs.existsSync(keyFile)) throw new UsageError(`No such public key file: ${keyFile}`);
    const publicKey = keyFile ? fs.readFileSync(keyFile, "utf8") : undefined;
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
      const result = await verifyAccessLog(client, { publicKey, pageSize });
      if (actor) {
        await recordAccess({ actor, action: "accessLog.verify", outcome: result.ok ? "ok" : "error", details: verifyLogDetails(result) });
      }
      printJson(result);
      if (!result.ok) console.error(`Access log NOT intact: first broken seq ${result.firstBroken?.seq}: ${result.firstBroken?.reason}`);
      return result.ok ? 0 : 1;
    } finally {
      if (own) await client.$disconnect();
    }
  },
});
