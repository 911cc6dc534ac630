import { defineCommand, printJson } from "@/lib/cli/command";
import { migrateConsoleDb } from "@/lib/cli/migrate-runner";
import { env } from "@/lib/env";

export default defineCommand({
  name: "db:migrate",
  summary: "Apply the console database's migrations (SQLite or PostgreSQL).",
  options: {},
  async run() {
    const r = await migrateConsoleDb(env().CONSOLE_DATABASE_URL);
    printJson({ database: env().consoleDbKind, applied: r.applied, alreadyApplied: r.skipped.length });
    return 0;
  },
});
