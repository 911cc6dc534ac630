import { db } from "@/lib/db";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { INVALID, parseForm, refused } from "@/lib/cli/form";
import { resolveOperator } from "@/lib/cli/operator";
import { requestJsonFor } from "@/lib/cli/request-view";
import { operatorOption, requestIdFromRef } from "@/lib/erasure/bulk-cli";
import { assignRequestSchema } from "@/lib/requests/schemas";
import { assignRequestRecord } from "@/lib/requests/update-request";

// The request page's assign form: assign to a staff member (by e-mail) or unassign (--none).

export default defineCommand({
  name: "request:assign",
  summary: "Assign an open request to a staff member, or unassign it (needs requests.update).",
  options: {
    ...operatorOption,
    request: { type: "string", description: "Request reference or id." },
    assignee: { type: "string", description: "E-mail of the staff member who will work on it." },
    none: { type: "boolean", description: "Unassign instead." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "requests.update");
    const id = await requestIdFromRef(values.request as string | undefined);
    const email = typeof values.assignee === "string" ? values.assignee.trim().toLowerCase() : "";
    if (!email === !values.none) throw new UsageError("Give either --assignee <staff e-mail> or --none.");
    let assigneeId = "";
    if (email) {
      const staff = await db().staff.findUnique({ where: { email }, select: { id: true } });
      if (!staff) return refused(`No staff account "${email}".`, "not_found");
      assigneeId = staff.id;
    }
    const input = parseForm(assignRequestSchema, { id, assigneeId });
    if (!input) return INVALID;
    const r = await assignRequestRecord(actor, input.id, input.assigneeId);
    if (!r.ok) return refused(r.message);
    printJson({ ok: true, request: await requestJsonFor(id, actor) });
    return 0;
  },
});
