import { defineCommand, printJson } from "@/lib/cli/command";
import { INVALID, parseForm } from "@/lib/cli/form";
import { codeOption, resolveVerifiedOperator } from "@/lib/cli/operator";
import { staffRules } from "@/lib/cli/staff";
import { operatorOption } from "@/lib/erasure/bulk-cli";
import { confirmGrant } from "@/lib/staff/grants";
import { grantSeqSchema } from "@/lib/staff/schemas";

// The second admin confirms a dpo/admin grant (lib/staff/grants.ts: not the requester, not the
// account holder); an approval, so it needs the operator's current authenticator code. The new
// enrolment link is printed only here.

export default defineCommand({
  name: "staff:grant-confirm",
  summary: "Confirm another admin's dpo/admin grant request and print the enrolment link (needs staff.manage and --code).",
  options: { ...operatorOption, seq: { type: "string", description: "The grant request's number (staff:grants)." }, ...codeOption },
  async run({ values }) {
    const actor = await resolveVerifiedOperator(values.operator as string | undefined, values.code, "staff.manage", "staff:grant-confirm");
    const input = parseForm(grantSeqSchema, { seq: typeof values.seq === "string" ? values.seq : "" });
    if (!input) return INVALID;
    return staffRules(async () => {
      const r = await confirmGrant(actor, input.seq);
      printJson({ ok: true, staffId: r.staffId, enrolmentLink: r.link, message: "Shown once, only to you: hand it over in person or over a trusted channel." });
      return 0;
    });
  },
});
