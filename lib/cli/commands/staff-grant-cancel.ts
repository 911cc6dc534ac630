import { defineCommand, printJson } from "@/lib/cli/command";
import { INVALID, parseForm } from "@/lib/cli/form";
import { resolveOperator } from "@/lib/cli/operator";
import { staffRules } from "@/lib/cli/staff";
import { operatorOption } from "@/lib/erasure/bulk-cli";
import { cancelGrant } from "@/lib/staff/grants";
import { grantSeqSchema } from "@/lib/staff/schemas";

export default defineCommand({
  name: "staff:grant-cancel",
  summary: "Cancel a pending dpo/admin grant request (needs staff.manage).",
  options: { ...operatorOption, seq: { type: "string", description: "The grant request's number (staff:grants)." } },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "staff.manage");
    const input = parseForm(grantSeqSchema, { seq: typeof values.seq === "string" ? values.seq : "" });
    if (!input) return INVALID;
    return staffRules(async () => {
      await cancelGrant(actor, input.seq);
      printJson({ ok: true, seq: input.seq, cancelled: true });
      return 0;
    });
  },
});
