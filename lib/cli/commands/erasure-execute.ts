import { defineCommand, printJson } from "@/lib/cli/command";
import { codeOption, resolveVerifiedOperator } from "@/lib/cli/operator";
import { operatorOption, required } from "@/lib/erasure/bulk-cli";
import { executeErasure } from "@/lib/erasure/workflow";

// Runs an APPROVED erasure job to the end of phase 1 (refused before approval).

export default defineCommand({
  name: "erasure:execute",
  summary: "Run an approved erasure job (needs erasure.execute); refused before a second person approved it.",
  options: { job: { type: "string", description: "ErasureJob id." }, ...operatorOption, ...codeOption },
  async run({ values }) {
    const executor = await resolveVerifiedOperator(values.operator as string | undefined, values.code, "erasure.execute", "erasure:execute");
    const jobId = required(values, "job");
    const r = await executeErasure({ jobId, executor });
    printJson({ jobId, ...r });
    return r.ok && r.state !== "paused" ? 0 : 1;
  },
});
