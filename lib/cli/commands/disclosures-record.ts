import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { recordDisclosure } from "@/lib/rights/disclosures";

export default defineCommand({
  name: "disclosures:record",
  summary: "Record a disclosure to a third party (privacy notice 3.4); a second DPO approves it with disclosures:approve.",
  options: {
    operator: { type: "string", description: "Staff e-mail with disclosures.record (required)." },
    recipient: { type: "string", description: "Who received the data." },
    basis: { type: "string", description: "law_enforcement_order | legal_obligation | security_audit | protect_from_harm | emergency" },
    what: { type: "string", description: "What was shared (no identifiers)." },
    "order-ref": { type: "string", description: "The order's or case's reference." },
    "subject-kind": { type: "string", description: "email | phone | mxid" },
    subject: { type: "string", description: "The person's identifier (stored encrypted)." },
    date: { type: "string", description: "Date shared, YYYY-MM-DD." },
    told: { type: "string", description: "told | deferred | not_yet" },
    "deferred-until": { type: "string", description: "YYYY-MM-DD, with --told deferred." },
    "deferral-reason": { type: "string", description: "Why telling is deferred." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "disclosures.record");
    const r = await recordDisclosure(actor, {
      recipient: values.recipient as string, legalBasis: values.basis as never, whatShared: values.what as string,
      orderReference: values["order-ref"] as string | undefined, subjectKind: values["subject-kind"] as never, subjectValue: values.subject as string,
      disclosedOn: values.date as string, notification: values.told as never, deferredUntil: values["deferred-until"] as string | undefined,
      deferralReason: values["deferral-reason"] as string | undefined,
    });
    printJson(r);
    return r.ok ? 0 : 1;
  },
});
