import { defineCommand, printJson } from "@/lib/cli/command";
import { codeOption, resolveVerifiedOperator } from "@/lib/cli/operator";
import { chooseBystander } from "@/lib/erasure/bystander-choice";
import { operatorOption, required } from "@/lib/erasure/bulk-cli";

// The second person's decision about another person's row in a prepared erasure (issue 8): keep
// them bound (the default; Sydent re-issues their association without the subject's data) or
// unbind them, with a reason. Rows are named as erasure:preview lists them (bystanders[].serverId
// and .globalId). Before approval only; never by the person who prepared the erasure.

export default defineCommand({
  name: "erasure:bystander",
  summary: "Keep another person's row bound (default) or unbind it, with a reason, before approval (needs erasure.approve and --code).",
  options: {
    ...operatorOption,
    job: { type: "string", description: "ErasureJob id (erasure:prepare or erasure:preview)." },
    server: { type: "string", description: "The row's serverId, as erasure:preview lists it under bystanders." },
    row: { type: "string", description: "The row's globalId, as erasure:preview lists it under bystanders." },
    choice: { type: "string", description: "unbind (with --reason) or rebind (keep bound, the default)." },
    reason: { type: "string", description: "Why this person is unbound (at least 10 characters; on the receipt and in the access log)." },
    ...codeOption,
  },
  async run({ values }) {
    const actor = await resolveVerifiedOperator(values.operator as string | undefined, values.code, "erasure.approve", "erasure:bystander");
    const jobId = required(values, "job");
    const serverId = required(values, "server");
    const rowText = required(values, "row");
    const choice = required(values, "choice");
    if (choice !== "unbind" && choice !== "rebind") {
      printJson({ ok: false, code: "invalid", message: "--choice must be unbind or rebind." });
      return 2;
    }
    const globalId = Number(rowText);
    if (!Number.isInteger(globalId)) {
      printJson({ ok: false, code: "invalid", message: "--row must be the row's globalId (a whole number), as erasure:preview lists it." });
      return 2;
    }
    const r = await chooseBystander({ jobId, serverId, globalId, action: choice, reason: typeof values.reason === "string" ? values.reason : "", actor });
    if (!r.ok) {
      printJson({ ok: false, code: "refused", message: r.message });
      return 1;
    }
    printJson({ ok: true, jobId, serverId, globalId, choice, message: choice === "unbind" ? "This person will be unbound; the reason goes on the receipt." : "This person stays bound." });
    return 0;
  },
});
