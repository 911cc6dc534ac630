// npm run db:migrate: applies the console database's migrations (SQLite or PostgreSQL).
import { env } from "@/lib/env";
import { migrateConsoleDb } from "@/lib/cli/migrate-runner";

const url = env().CONSOLE_DATABASE_URL;
migrateConsoleDb(url)
  .then((r) => {
    console.log(JSON.stringify({ database: env().consoleDbKind, applied: r.applied, alreadyApplied: r.skipped.length }));
  })
  .catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
