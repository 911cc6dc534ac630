import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { db } from "@/lib/db";
import { escalateComplaint, linkComplaint, replyToComplaint, resolveComplaint } from "@/lib/complaints/manage";

// One command for the queue's moves, so a script reads like the page: link, reply, escalate, resolve.

export default defineCommand({
  name: "complaints:update",
  summary: "Work on a complaint: --link about|caused --kind <request|erasure|block|accessLog|staff> --ref <ref>; --reply <template>; --escalate <reason>; --resolve <resolution> [--template <t>].",
  positionals: "<complaint reference or id>",
  options: {
    operator: { type: "string", description: "Staff e-mail with complaints.manage (required)." },
    link: { type: "string", description: "about | caused" },
    kind: { type: "string", description: "What the link points to." },
    ref: { type: "string", description: "The linked object's reference (REQ-…, #seq, staff e-mail, job id)." },
    reply: { type: "string", description: "Reply template: acknowledge | more_info | resolved_no_fault | resolved_action" },
    escalate: { type: "string", description: "Escalate to the DPO with this reason (no identifiers)." },
    resolve: { type: "string", description: "Resolve with this resolution text." },
    template: { type: "string", description: "Closing reply template for --resolve." },
  },
  async run({ values, positionals }) {
    const actor = await resolveOperator(values.operator as string | undefined, "complaints.manage");
    const key = positionals[0];
    if (!key) throw new UsageError("Name the complaint (CMP-… reference or id).");
    const c = await db().complaint.findFirst({ where: { OR: [{ id: key }, { reference: key.toUpperCase() }] }, select: { id: true } });
    if (!c) throw new UsageError(`No complaint "${key}".`);
    const r = values.link ? await linkComplaint(actor, c.id, values.link as string, String(values.kind ?? ""), String(values.ref ?? ""))
      : values.reply ? await replyToComplaint(actor, c.id, values.reply as string)
      : values.escalate ? await escalateComplaint(actor, c.id, values.escalate as string)
      : values.resolve ? await resolveComplaint(actor, c.id, values.resolve as string, (values.template as string | undefined) ?? null)
      : null;
    if (!r) throw new UsageError("Say what to do: --link, --reply, --escalate or --resolve.");
    printJson(r);
    return r.ok ? 0 : 1;
  },
});
