import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { codeOption, resolveVerifiedOperator } from "@/lib/cli/operator";
import { approvePackage } from "@/lib/exports/workflow";

// Second-person approval from the command line: refused for the generator (separation of
// duties, logged as denied); on success prints the one-time download link (shown only here).

export default defineCommand({
  name: "package:approve",
  summary: "Approve a package someone else generated and print its one-time download link (needs exports.approve).",
  options: {
    operator: { type: "string", description: "Staff e-mail with exports.approve, not the generator (required)." },
    package: { type: "string", description: "The package id (from package:generate or the request page)." },
    ...codeOption,
  },
  async run({ values }) {
    const actor = await resolveVerifiedOperator(values.operator as string | undefined, values.code, "exports.approve", "package:approve");
    const id = String(values.package ?? "").trim();
    if (!id) throw new UsageError("--package <id> is required.");
    const r = await approvePackage(actor, id);
    if (!r.ok) {
      printJson({ ok: false, code: r.code, message: r.message });
      return 1;
    }
    printJson({ ok: true, packageId: id, url: r.url, expiresAt: r.expiresAt.toISOString(), note: "The link works once and is not shown again." });
    return 0;
  },
});
