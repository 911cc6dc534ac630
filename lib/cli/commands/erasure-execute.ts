import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { operatorOption, required } from "@/lib/erasure/bulk-cli";
import { executeErasure } from "@/lib/erasure/workflow";

// Runs an APPROVED erasure job to the end of phase 1 (refused before approval).

export default defineCommand({
  name: "erasure:execute",
  summary: "Run an approved erasure job (needs erasure.execute); refused before a second person approved it.",
  options: { job: { type: "string", description: "ErasureJob id." }, ...operatorOption },
  async run({ values }) {
    const executor = await resolveOperator(values.operator as string | undefined, "erasure.execute");
    const jobId = required(values, "job");
    const r = await executeErasure({ jobId, executor });
    printJson({ jobId, ...r });
    return r.ok && r.state !== "paused" ? 0 : 1;
  },
});
