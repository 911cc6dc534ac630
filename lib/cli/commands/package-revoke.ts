import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { operatorOption, required } from "@/lib/erasure/bulk-cli";
import { revokePackage } from "@/lib/exports/workflow";

// The review page's "Revoke": withdraw a package not yet downloaded; its files are deleted at once.

export default defineCommand({
  name: "package:revoke",
  summary: "Withdraw a generated or approved package before it is downloaded; deletes its files (needs exports.generate).",
  options: { ...operatorOption, package: { type: "string", description: "The package id." } },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "exports.generate");
    const id = required(values, "package");
    const r = await revokePackage(actor, id);
    if (!r.ok) return (printJson({ ok: false, code: r.code, message: r.message }), 1);
    printJson({ ok: true, packageId: id, state: "revoked" });
    return 0;
  },
});
