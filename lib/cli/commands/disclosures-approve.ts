import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { codeOption, resolveVerifiedOperator } from "@/lib/cli/operator";
import { db } from "@/lib/db";
import { approveDisclosure } from "@/lib/rights/disclosures";

export default defineCommand({
  name: "disclosures:approve",
  summary: "Approve a disclosure someone else recorded (needs disclosures.approve and the operator's --code).",
  positionals: "<DIS-… reference or id>",
  options: { operator: { type: "string", description: "Staff e-mail with disclosures.approve (required)." }, ...codeOption },
  async run({ values, positionals }) {
    const actor = await resolveVerifiedOperator(values.operator as string | undefined, values.code, "disclosures.approve", "disclosures:approve");
    const key = positionals[0];
    if (!key) throw new UsageError("Name the disclosure (DIS-… reference or id).");
    const d = await db().disclosure.findFirst({ where: { OR: [{ id: key }, { reference: key.toUpperCase() }] }, select: { id: true } });
    if (!d) throw new UsageError(`No disclosure "${key}".`);
    const r = await approveDisclosure(actor, d.id);
    printJson(r);
    return r.ok ? 0 : 1;
  },
});
