import { defineCommand, printJson } from "@/lib/cli/command";
import { codeOption, resolveVerifiedOperator } from "@/lib/cli/operator";
import { operatorOption, required } from "@/lib/erasure/bulk-cli";
import { approveErasure } from "@/lib/erasure/workflow";

// The second person's approval of a prepared erasure (lib/erasure/workflow.ts): never the person
// who prepared or re-planned it, only while awaiting approval, confirmed by typing the masked
// identifier as shown (erasure:preview), and with the approver's current authenticator code.

export default defineCommand({
  name: "erasure:approve",
  summary: "Approve an erasure someone else prepared (needs erasure.approve, --confirm <masked identifier> and --code).",
  options: {
    ...operatorOption,
    job: { type: "string", description: "ErasureJob id (erasure:prepare or erasure:preview)." },
    confirm: { type: "string", description: "The masked identifier exactly as erasure:preview shows it (\"*\" may stand for \"•\")." },
    ...codeOption,
  },
  async run({ values }) {
    const approver = await resolveVerifiedOperator(values.operator as string | undefined, values.code, "erasure.approve", "erasure:approve");
    const jobId = required(values, "job");
    const r = await approveErasure({ jobId, typedConfirmation: typeof values.confirm === "string" ? values.confirm : "", approver });
    if (!r.ok) {
      printJson({ ok: false, code: r.code, message: r.message });
      return 1;
    }
    printJson({ ok: true, jobId, state: "approved", message: "Approved; run it with erasure:execute." });
    return 0;
  },
});
