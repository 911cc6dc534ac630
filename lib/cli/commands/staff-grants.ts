import { db } from "@/lib/db";
import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { operatorOption } from "@/lib/erasure/bulk-cli";
import { pendingGrants } from "@/lib/staff/grants";

// The Staff page's pending grant requests (dpo/admin roles waiting for a second admin).

export default defineCommand({
  name: "staff:grants",
  summary: "List pending dpo/admin grant requests awaiting a second admin (needs staff.manage).",
  options: { ...operatorOption },
  async run({ values }) {
    await resolveOperator(values.operator as string | undefined, "staff.manage");
    const grants = await pendingGrants();
    const staff = await db().staff.findMany({ where: { id: { in: grants.map((g) => g.staffId) } }, select: { id: true, email: true } });
    const email = new Map(staff.map((s) => [s.id, s.email]));
    printJson({
      ok: true,
      grants: grants.map((g) => ({ seq: g.seq, staff: email.get(g.staffId) ?? g.staffId, kind: g.kind, role: g.role, from: g.from, requestedBy: g.requestedBy, requestedAt: g.requestedAt.toISOString() })),
    });
    return 0;
  },
});
