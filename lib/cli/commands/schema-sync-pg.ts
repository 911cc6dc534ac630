import fs from "node:fs";
import { defineCommand, printJson } from "@/lib/cli/command";
import { expectedPgSchema, schemaPaths } from "@/lib/schema-sync";

export default defineCommand({
  name: "schema:sync-pg",
  summary: "Regenerate prisma/console-pg/schema.prisma from the SQLite console schema (developers).",
  options: {},
  async run() {
    const { pg } = schemaPaths();
    const next = expectedPgSchema();
    const changed = !fs.existsSync(pg) || fs.readFileSync(pg, "utf8") !== next;
    if (changed) fs.writeFileSync(pg, next);
    printJson({ file: pg, changed, reminder: changed ? "add a migration to both prisma/console*/migrations folders" : undefined });
    return 0;
  },
});
