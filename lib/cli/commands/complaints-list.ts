import { recordAccess } from "@/lib/audit/log";
import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { isRole } from "@/lib/authz";
import { findComplaints } from "@/lib/complaints/queries";

export default defineCommand({
  name: "complaints:list",
  summary: "The complaint queue as JSON, contacts masked (needs complaints.view).",
  options: {
    operator: { type: "string", description: "Staff e-mail with complaints.view (required)." },
    state: { type: "string", description: "open | responded | escalated | resolved | unresolved" },
    page: { type: "string", description: "Page (1-based, 100 per page)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "complaints.view");
    if (!actor.id || !isRole(actor.role)) return 1;
    const result = await findComplaints({ viewer: { id: actor.id, role: actor.role }, state: values.state as string | undefined, page: Number(values.page ?? 1) || 1, pageSize: 100 });
    await recordAccess({ actor, action: "complaint.list", outcome: "ok", details: { count: result.count, page: result.page } });
    printJson(result);
    return 0;
  },
});
