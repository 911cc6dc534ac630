import { db } from "@/lib/db";
import { printJson, UsageError } from "@/lib/cli/command";
import { GrantRuleError } from "@/lib/staff/grants";
import { StaffRuleError } from "@/lib/staff/manage-staff";

// Shared by the staff commands (lib/cli/commands/staff-*.ts): accounts named by e-mail, and the
// rules' refusals (own account, last admin, two admins for dpo/admin) as JSON with exit 1.

export const NEEDS_SECOND_ADMIN = "A second administrator must confirm this (staff:grant-confirm, or the Staff page); they receive the enrolment link.";

export async function staffIdByEmail(email: unknown): Promise<string> {
  const v = typeof email === "string" ? email.trim().toLowerCase() : "";
  if (!v) throw new UsageError("--staff <staff e-mail> is required.");
  const s = await db().staff.findUnique({ where: { email: v }, select: { id: true } });
  if (!s) throw new UsageError(`No staff account "${v}".`);
  return s.id;
}

export async function staffRules(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof StaffRuleError || e instanceof GrantRuleError) {
      printJson({ ok: false, code: "refused", message: e.message });
      return 1;
    }
    throw e;
  }
}
