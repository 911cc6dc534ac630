import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { staffIdByEmail, staffRules } from "@/lib/cli/staff";
import { operatorOption } from "@/lib/erasure/bulk-cli";
import { disableStaff, enableStaff } from "@/lib/staff/manage-staff";

// Disable an account (its sessions end at once; never one's own, never the last admin), or
// enable it again with --enable.

export default defineCommand({
  name: "staff:disable",
  summary: "Disable a staff account and end its sessions, or --enable it again (needs staff.manage).",
  options: {
    ...operatorOption,
    staff: { type: "string", description: "The account's e-mail." },
    enable: { type: "boolean", description: "Enable a disabled account instead." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "staff.manage");
    const staffId = await staffIdByEmail(values.staff);
    return staffRules(async () => {
      if (values.enable) {
        await enableStaff(actor, staffId);
        printJson({ ok: true, staffId, disabled: false });
      } else {
        const sessionsEnded = await disableStaff(actor, staffId);
        printJson({ ok: true, staffId, disabled: true, sessionsEnded });
      }
      return 0;
    });
  },
});
