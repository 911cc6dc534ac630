import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { NEEDS_SECOND_ADMIN, staffIdByEmail, staffRules } from "@/lib/cli/staff";
import { operatorOption } from "@/lib/erasure/bulk-cli";
import { reissueEnrolment } from "@/lib/staff/manage-staff";

// Re-issue an account's enrolment (resets password, authenticator, recovery codes, sessions).

export default defineCommand({
  name: "staff:reissue",
  summary: "Re-issue a staff member's enrolment link (needs staff.manage; dpo/admin accounts need a second admin).",
  options: { ...operatorOption, staff: { type: "string", description: "The account's e-mail." } },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "staff.manage");
    const staffId = await staffIdByEmail(values.staff);
    return staffRules(async () => {
      const r = await reissueEnrolment(actor, staffId);
      printJson(r.link ? { ok: true, staffId, enrolmentLink: r.link, message: "Shown once." } : { ok: true, staffId, pendingGrant: r.pendingGrant, message: NEEDS_SECOND_ADMIN });
      return 0;
    });
  },
});
