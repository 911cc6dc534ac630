import { defineCommand, printJson } from "@/lib/cli/command";
import { INVALID, parseForm } from "@/lib/cli/form";
import { resolveOperator } from "@/lib/cli/operator";
import { NEEDS_SECOND_ADMIN, staffIdByEmail, staffRules } from "@/lib/cli/staff";
import { operatorOption } from "@/lib/erasure/bulk-cli";
import { ROLES } from "@/lib/authz";
import { changeStaffRole } from "@/lib/staff/manage-staff";
import { changeRoleSchema } from "@/lib/staff/schemas";

// Change a staff member's role: support/auditor at once; dpo/admin only as a grant request.

export default defineCommand({
  name: "staff:role",
  summary: "Change a staff member's role (needs staff.manage; to dpo/admin needs a second admin's confirmation).",
  options: {
    ...operatorOption,
    staff: { type: "string", description: "The account's e-mail." },
    role: { type: "string", description: `One of ${ROLES.join(", ")}.` },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "staff.manage");
    const input = parseForm(changeRoleSchema, { staffId: await staffIdByEmail(values.staff), role: typeof values.role === "string" ? values.role : "" });
    if (!input) return INVALID;
    return staffRules(async () => {
      const r = await changeStaffRole(actor, input);
      printJson(r.pendingGrant ? { ok: true, changed: false, pendingGrant: r.pendingGrant, message: NEEDS_SECOND_ADMIN } : { ok: true, changed: true, role: input.role });
      return 0;
    });
  },
});
