import { recordAccess } from "@/lib/audit/log";
import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { findDisclosures } from "@/lib/rights/disclosures";

export default defineCommand({
  name: "disclosures:list",
  summary: "The disclosure register as JSON, identifiers masked (needs disclosures.view).",
  options: {
    operator: { type: "string", description: "Staff e-mail with disclosures.view (required)." },
    state: { type: "string", description: "proposed | approved | cancelled" },
    page: { type: "string", description: "Page (1-based, 100 per page)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "disclosures.view");
    const result = await findDisclosures({ state: values.state as string | undefined, page: Number(values.page ?? 1) || 1, pageSize: 100 });
    await recordAccess({ actor, action: "disclosure.list", outcome: "ok", details: { count: result.count, page: result.page } });
    printJson(result);
    return 0;
  },
});
