import { defineCommand, printJson } from "@/lib/cli/command";
import { codeOption, resolveVerifiedOperator } from "@/lib/cli/operator";
import { executeBulkBatch } from "@/lib/erasure/bulk";
import { operatorOption, required } from "@/lib/erasure/bulk-cli";
import { getBatch } from "@/lib/erasure/bulk-queries";

// Runs (or resumes) an approved bulk batch in the foreground, progress on stderr.

export default defineCommand({
  name: "erasure:bulk-execute",
  summary: "Execute (or resume) an approved bulk erasure batch, progress on stderr (needs erasure.execute).",
  options: { batch: { type: "string", description: "ErasureBatch id." }, ...operatorOption, ...codeOption },
  async run({ values }) {
    const executor = await resolveVerifiedOperator(values.operator as string | undefined, values.code, "erasure.execute", "erasure:bulk-execute");
    const batchId = required(values, "batch");
    const r = await executeBulkBatch({ batchId, executor }, { onProgress: (p) => console.error(`executed ${p.done}/${p.total}`) });
    const view = r.ok ? await getBatch(batchId) : null;
    printJson({ ...r, counts: view?.counts });
    return r.ok && r.state === "done" ? 0 : 1;
  },
});
