import { defineCommand, printJson } from "@/lib/cli/command";
import { INVALID, parseForm, refused } from "@/lib/cli/form";
import { resolveOperator } from "@/lib/cli/operator";
import { requestJsonFor } from "@/lib/cli/request-view";
import { operatorOption, requestIdFromRef } from "@/lib/erasure/bulk-cli";
import { changeStateSchema } from "@/lib/requests/schemas";
import { changeRequestState } from "@/lib/requests/update-request";

// The request page's state form: same schema and transition rules (lib/requests/states.ts),
// same request.state.change entry. Closing has its own command (request:close).

export default defineCommand({
  name: "request:state",
  summary: "Move an open request to another open state (needs requests.update).",
  options: {
    ...operatorOption,
    request: { type: "string", description: "Request reference or id." },
    to: { type: "string", description: "The new state (an open state the current one may move to)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "requests.update");
    const id = await requestIdFromRef(values.request as string | undefined);
    const input = parseForm(changeStateSchema, { id, to: typeof values.to === "string" ? values.to : "" });
    if (!input) return INVALID;
    const r = await changeRequestState(actor, input.id, input.to);
    if (!r.ok) return refused(r.message);
    printJson({ ok: true, request: await requestJsonFor(id, actor) });
    return 0;
  },
});
