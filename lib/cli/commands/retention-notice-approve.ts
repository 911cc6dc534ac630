import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { INVALID } from "@/lib/cli/form";
import { codeOption, resolveOperator, resolveVerifiedOperator } from "@/lib/cli/operator";
import { approveNotice, rejectNotice } from "@/lib/retention/notices";

// retention:notice-approve: a second admin (not the proposer) approves a proposed privacy-notice
// version, with their current authenticator code (--code), like retention:policy --approve. With
// --reject --reason an admin (the proposer too: a withdrawal) rejects it instead.

export default defineCommand({
  name: "retention:notice-approve",
  summary: "Approve a proposed privacy-notice version (a second admin, with --code), or --reject it with --reason.",
  options: {
    operator: { type: "string", description: "Staff e-mail (retention.notice: an administrator)." },
    notice: { type: "string", description: "The proposed version's label (e.g. 1.2.0) or id." },
    reject: { type: "boolean", description: "Reject (or, as its proposer, withdraw) it instead; needs --reason." },
    reason: { type: "string", description: "With --reject: why (10 to 500 characters)." },
    ...codeOption,
  },
  async run({ values }) {
    if (!values.notice) throw new UsageError("--notice <version or id> is required.");
    if (values.reject) {
      const actor = await resolveOperator(values.operator as string | undefined, "retention.notice");
      const r = await rejectNotice(actor, String(values.notice), values.reason);
      printJson(r);
      return r.ok ? 0 : r.code === "invalid" ? INVALID : 1;
    }
    const actor = await resolveVerifiedOperator(values.operator as string | undefined, values.code, "retention.notice", "retention:notice-approve");
    const r = await approveNotice(actor, String(values.notice));
    printJson(r);
    return r.ok ? 0 : 1;
  },
});
