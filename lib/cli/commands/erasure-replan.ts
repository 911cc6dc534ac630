import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { operatorOption, required } from "@/lib/erasure/bulk-cli";
import { replanErasure } from "@/lib/erasure/workflow";

// A job paused because verification found data added after approval: plan again; the new plan
// needs a second person's approval (erasure:approve), never the one who re-planned.

export default defineCommand({
  name: "erasure:replan",
  summary: "Re-plan an erasure paused by a failed verification; it then awaits approval again (needs erasure.request).",
  options: { ...operatorOption, job: { type: "string", description: "ErasureJob id." } },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "erasure.request");
    const jobId = required(values, "job");
    const r = await replanErasure({ jobId, actor });
    if (!r.ok) return (printJson({ ok: false, code: r.code, message: r.message }), 1);
    printJson({ ok: true, jobId, state: "awaiting_approval", message: "Re-planned; a second person must approve the new plan (erasure:approve)." });
    return 0;
  },
});
