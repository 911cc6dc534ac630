import { defineCommand, printJson } from "@/lib/cli/command";
import { formFields, INVALID, parseForm } from "@/lib/cli/form";
import { resolveOperator } from "@/lib/cli/operator";
import { NEEDS_SECOND_ADMIN, staffRules } from "@/lib/cli/staff";
import { operatorOption } from "@/lib/erasure/bulk-cli";
import { ROLES } from "@/lib/authz";
import { createStaff } from "@/lib/staff/manage-staff";
import { createStaffSchema } from "@/lib/staff/schemas";

// The Staff page's "Add staff" from the command line (lib/staff/manage-staff.ts): support and
// auditor accounts get their enrolment link at once; dpo and admin accounts only record a grant
// request that a second admin confirms (staff:grant-confirm), who then gets the link.

export default defineCommand({
  name: "staff:create",
  summary: "Add a staff account with any role (needs staff.manage; dpo/admin need a second admin's confirmation).",
  options: {
    ...operatorOption,
    email: { type: "string", description: "The new account's e-mail." },
    name: { type: "string", description: "Display name." },
    role: { type: "string", description: `One of ${ROLES.join(", ")}.` },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "staff.manage");
    const input = parseForm(createStaffSchema, formFields(values, { email: "email", displayName: "name", role: "role" }));
    if (!input) return INVALID;
    return staffRules(async () => {
      const c = await createStaff(actor, input);
      printJson({
        ok: true, staffId: c.staff.id, email: c.staff.email, role: input.role, pendingGrant: c.pendingGrant, enrolmentLink: c.link,
        message: c.link ? "Hand the enrolment link to the person over a trusted channel; it is not shown again." : NEEDS_SECOND_ADMIN,
      });
      return 0;
    });
  },
});
