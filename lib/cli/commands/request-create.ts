import { defineCommand, printJson } from "@/lib/cli/command";
import { formFields, INVALID, parseForm } from "@/lib/cli/form";
import { resolveOperator } from "@/lib/cli/operator";
import { operatorOption } from "@/lib/erasure/bulk-cli";
import { CHANNELS, IDENTIFICATION_METHODS, REQUEST_TYPES } from "@/lib/requests/catalogue";
import { createRequestRecord } from "@/lib/requests/create-request";
import { requestJsonFor } from "@/lib/cli/request-view";
import { createRequestSchema } from "@/lib/requests/schemas";

// The register's "New request" form from the command line: same schema, same record and
// request.create access-log entry (lib/requests/create-request.ts).

export default defineCommand({
  name: "request:create",
  summary: "Register a request or complaint (needs requests.create); prints its reference and due date.",
  options: {
    ...operatorOption,
    type: { type: "string", description: `Kind of request: ${REQUEST_TYPES.join(", ")}.` },
    "requester-name": { type: "string", description: "The requester's name." },
    "requester-contact": { type: "string", description: "How to reach the requester (e-mail, phone or address)." },
    channel: { type: "string", description: `How it arrived: ${CHANNELS.join(", ")}.` },
    identification: { type: "string", description: `How the requester was identified: ${IDENTIFICATION_METHODS.join(", ")}.` },
    "identification-note": { type: "string", description: "Details of the identification (required with --identification other)." },
    received: { type: "string", description: "Date received, YYYY-MM-DD (default: today, UTC)." },
    summary: { type: "string", description: "What the requester asks for." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "requests.create");
    const fields = formFields(values, {
      type: "type", requesterName: "requester-name", requesterContact: "requester-contact", channel: "channel",
      identificationMethod: "identification", identificationNote: "identification-note", receivedAt: "received", summary: "summary",
    });
    if (!fields.receivedAt) fields.receivedAt = new Date().toISOString().slice(0, 10);
    const input = parseForm(createRequestSchema, fields);
    if (!input) return INVALID;
    const created = await createRequestRecord(actor, input);
    printJson({ ok: true, request: await requestJsonFor(created.id, actor) });
    return 0;
  },
});
