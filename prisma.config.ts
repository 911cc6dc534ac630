import path from "node:path";
import { defineConfig } from "prisma/config";

// No schema-engine binary can be downloaded here; generate/validate/format only need *a* file.
// Migrations are applied by our own runner (lib/cli/migrate.ts), see ARCHITECTURE.md.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve("prisma/no-schema-engine.sh");

export default defineConfig({
  schema: "prisma/console/schema.prisma",
  migrations: { path: "prisma/console/migrations" },
});
