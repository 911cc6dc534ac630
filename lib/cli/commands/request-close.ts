import { defineCommand, printJson } from "@/lib/cli/command";
import { INVALID, parseForm, refused } from "@/lib/cli/form";
import { resolveOperator } from "@/lib/cli/operator";
import { requestJsonFor } from "@/lib/cli/request-view";
import { operatorOption, requestIdFromRef } from "@/lib/erasure/bulk-cli";
import { closeRequestSchema } from "@/lib/requests/schemas";
import { closeRequestRecord } from "@/lib/requests/update-request";

// The request page's close form: a closed state and the outcome.

export default defineCommand({
  name: "request:close",
  summary: "Close a request with its outcome (needs requests.close).",
  options: {
    ...operatorOption,
    request: { type: "string", description: "Request reference or id." },
    state: { type: "string", description: "How it ends (completed, rejected or withdrawn)." },
    outcome: { type: "string", description: "What was done, in at least 10 characters." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "requests.close");
    const id = await requestIdFromRef(values.request as string | undefined);
    const input = parseForm(closeRequestSchema, { id, state: typeof values.state === "string" ? values.state : "", outcome: typeof values.outcome === "string" ? values.outcome : "" });
    if (!input) return INVALID;
    const r = await closeRequestRecord(actor, input.id, input.state, input.outcome);
    if (!r.ok) return refused(r.message);
    printJson({ ok: true, request: await requestJsonFor(id, actor) });
    return 0;
  },
});
