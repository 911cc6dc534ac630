import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { codeOption, resolveOperator, resolveVerifiedOperator } from "@/lib/cli/operator";
import { approvePolicy, loadPolicies, proposePolicy } from "@/lib/retention/policies";

// retention:policy: list the policies (default), propose a change (--propose, an admin), or
// approve one (--approve <id> --code, a second admin). Periods never exceed the limits of the
// recorded privacy-notice versions (retention:notice-list).

export default defineCommand({
  name: "retention:policy",
  summary: "List retention policies; --propose a change (admin) or --approve one (a second admin, with --code).",
  options: {
    operator: { type: "string", description: "Staff e-mail (retention.policy)." },
    propose: { type: "boolean", description: "Propose: with --scope, --class, --days, --reason." },
    scope: { type: "string", description: "default | sydent:<label> | haproxy:haproxy | store:<name>" },
    class: { type: "string", description: "lookup | haproxy | application | connection (logs) or records (stores)." },
    days: { type: "string", description: "Period in whole days." },
    reason: { type: "string", description: "Why (recorded)." },
    notice: { type: "string", description: "With --propose: the approved privacy-notice version the policy follows (default: the one in force)." },
    approve: { type: "string", description: "Approve the proposed policy with this id." },
    ...codeOption,
  },
  async run({ values }) {
    if (values.approve) {
      const actor = await resolveVerifiedOperator(values.operator as string | undefined, values.code, "retention.policy", "retention:policy");
      const r = await approvePolicy(actor, String(values.approve));
      printJson(r);
      return r.ok ? 0 : 1;
    }
    const actor = await resolveOperator(values.operator as string | undefined, values.propose ? "retention.policy" : "retention.view");
    if (values.propose) {
      const days = Number(values.days);
      if (!values.scope || !values.class || values.days === undefined) throw new UsageError("--propose needs --scope, --class and --days.");
      const r = await proposePolicy(actor, { scope: String(values.scope), retentionClass: String(values.class), periodDays: days, reason: String(values.reason ?? ""), noticeVersion: values.notice as string | undefined });
      printJson(r);
      return r.ok ? 0 : 1;
    }
    const p = await loadPolicies();
    printJson({ noticeVersion: p.noticeVersion, policies: p.rows });
    return 0;
  },
});
