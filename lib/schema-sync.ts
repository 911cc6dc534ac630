import fs from "node:fs";
import path from "node:path";

// One schema has one provider in Prisma 7, so the console's models live in
// prisma/console/schema.prisma (SQLite) and are copied, provider and output swapped, to
// prisma/console-pg/schema.prisma. `npm run cli -- schema:sync-pg` writes it; a test checks it.

export function pgSchemaFrom(sqliteSchema: string): string {
  const lines = sqliteSchema.split("\n");
  lines[0] = "// GENERATED from prisma/console/schema.prisma by `npm run cli -- schema:sync-pg`: do not edit.";
  return lines
    .join("\n")
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('output   = "../../lib/generated/console"', 'output   = "../../lib/generated/console-pg"');
}

export function schemaPaths(root = process.cwd()) {
  return {
    sqlite: path.join(root, "prisma/console/schema.prisma"),
    pg: path.join(root, "prisma/console-pg/schema.prisma"),
  };
}

export function expectedPgSchema(root = process.cwd()): string {
  return pgSchemaFrom(fs.readFileSync(schemaPaths(root).sqlite, "utf8"));
}
