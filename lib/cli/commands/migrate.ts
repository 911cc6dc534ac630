import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { grantConsoleRole, withPg } from "@/lib/cli/pg-roles";
import { migrateConsoleDb } from "@/lib/cli/migrate-runner";
import { env } from "@/lib/env";

export default defineCommand({
  name: "db:migrate",
  summary: "Apply the console database's migrations (SQLite or PostgreSQL).",
  options: {
    "app-role": { type: "string", description: "PostgreSQL: after migrating (as the owner role), grant this role what the running console needs; only INSERT/SELECT on the log tables." },
  },
  async run({ values }) {
    const appRole = values["app-role"] as string | undefined;
    if (appRole && env().consoleDbKind !== "postgresql") throw new UsageError("--app-role applies to PostgreSQL only");
    const r = await migrateConsoleDb(env().CONSOLE_DATABASE_URL);
    const grants = appRole ? await withPg(env().CONSOLE_DATABASE_URL, (c) => grantConsoleRole(c, appRole)) : null;
    printJson({ database: env().consoleDbKind, applied: r.applied, alreadyApplied: r.skipped.length, ...(grants ? { appRole: grants } : {}) });
    return 0;
  },
});
