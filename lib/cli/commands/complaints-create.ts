import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { createComplaint } from "@/lib/complaints/manage";

export default defineCommand({
  name: "complaints:create",
  summary: "Take in a complaint (needs complaints.manage). Prints its id and reference.",
  options: {
    operator: { type: "string", description: "Staff e-mail with complaints.manage (required)." },
    severity: { type: "string", description: "low | normal | high | critical" },
    summary: { type: "string", description: "What it is about (no identifiers)." },
    name: { type: "string", description: "The complainant's name." },
    contact: { type: "string", description: "How to reach them (stored encrypted)." },
    "subject-kind": { type: "string", description: "email | phone | mxid: the identifier it concerns (optional)." },
    subject: { type: "string", description: "That identifier (optional)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "complaints.manage");
    const r = await createComplaint(actor, {
      severity: values.severity as never, summary: values.summary as string, contactName: values.name as string, contact: values.contact as string,
      subjectKind: values["subject-kind"] as never, subjectValue: values.subject as string | undefined,
    });
    printJson(r);
    return r.ok ? 0 : 1;
  },
});
