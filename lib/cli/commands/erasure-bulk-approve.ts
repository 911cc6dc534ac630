import { defineCommand, printJson } from "@/lib/cli/command";
import { codeOption, resolveVerifiedOperator } from "@/lib/cli/operator";
import { approveBulkBatch } from "@/lib/erasure/bulk";
import { operatorOption, required } from "@/lib/erasure/bulk-cli";

export default defineCommand({
  name: "erasure:bulk-approve",
  summary: "Approve a whole bulk erasure batch after its dry run (needs erasure.approve; not the uploader).",
  options: { batch: { type: "string", description: "ErasureBatch id." }, ...operatorOption, ...codeOption },
  async run({ values }) {
    const approver = await resolveVerifiedOperator(values.operator as string | undefined, values.code, "erasure.approve", "erasure:bulk-approve");
    const r = await approveBulkBatch({ batchId: required(values, "batch"), approver });
    printJson(r);
    return r.ok ? 0 : 1;
  },
});
