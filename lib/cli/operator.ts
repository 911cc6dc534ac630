import { db } from "@/lib/db";
import { UsageError } from "@/lib/cli/command";
import type { Actor } from "@/lib/audit/types";
import { can, isRole, type Permission } from "@/lib/authz";

// Commands act on behalf of a named operator (--operator <staff e-mail>), so their access-log
// entries are attributed like any other. An operator that is not an active staff member is
// refused, except where a command says otherwise (creating the first admin).

export async function resolveOperator(email: string | undefined, permission?: Permission): Promise<Actor> {
  if (!email) throw new UsageError("--operator <staff e-mail> is required: the access log names who ran this.");
  const staff = await db().staff.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!staff || staff.disabledAt) throw new UsageError(`No active staff account "${email}".`);
  if (permission && !(isRole(staff.role) && can(staff.role, permission))) {
    throw new UsageError(`${email} has role ${staff.role}, which lacks the permission ${permission}.`);
  }
  return { id: staff.id, label: `cli:${staff.email}`, role: staff.role, ip: null, userAgent: "custodian-cli" };
}
