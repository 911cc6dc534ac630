import { defineCommand, printJson } from "@/lib/cli/command";
import { INVALID, parseForm, refused } from "@/lib/cli/form";
import { resolveOperator } from "@/lib/cli/operator";
import { requestJsonFor } from "@/lib/cli/request-view";
import { operatorOption, requestIdFromRef } from "@/lib/erasure/bulk-cli";
import { extendDeadlineSchema } from "@/lib/requests/schemas";
import { extendRequestDeadline } from "@/lib/requests/update-request";

// Art. 12(3): extend a request's deadline by two months, once, with a reason (no identifiers:
// it goes into the access log), before the statutory deadline passes.

export default defineCommand({
  name: "request:extend",
  summary: "Extend a request's deadline by two months with a reason (needs requests.extend).",
  options: {
    ...operatorOption,
    request: { type: "string", description: "Request reference or id." },
    reason: { type: "string", description: "Why (shown to the requester; no e-mail addresses, numbers or Matrix IDs)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "requests.extend");
    const id = await requestIdFromRef(values.request as string | undefined);
    const input = parseForm(extendDeadlineSchema, { id, reason: typeof values.reason === "string" ? values.reason : "" });
    if (!input) return INVALID;
    const r = await extendRequestDeadline(actor, input.id, input.reason);
    if (!r.ok) return refused(r.message);
    printJson({ ok: true, request: await requestJsonFor(id, actor) });
    return 0;
  },
});
