import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { purgeExpiredPackages } from "@/lib/exports/store";

// For cron: deletes the stored files of packages whose link expired (or that were never approved
// within 30 days) and marks them expired. Also run at every package generation.

export default defineCommand({
  name: "package:purge",
  summary: "Delete stored packages whose download link expired or that were never approved (needs exports.generate).",
  options: { operator: { type: "string", description: "Staff e-mail with exports.generate (required)." } },
  async run({ values }) {
    await resolveOperator(values.operator as string | undefined, "exports.generate");
    const purged = await purgeExpiredPackages(new Date());
    printJson({ purged: purged.length, packageIds: purged });
    return 0;
  },
});
