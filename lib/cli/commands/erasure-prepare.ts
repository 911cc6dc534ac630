import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { operatorOption, required, requestIdFromRef } from "@/lib/erasure/bulk-cli";
import { ERASURE_REASONS, startErasure } from "@/lib/erasure/workflow";

// "Prepare erasure" on a request page: plans the erasure of the person linked to the request on
// every server (lib/erasure/workflow.ts, same rules: an open erasure request, or reason under_16
// on any open request; the person linked first), awaiting a second person's approval.
// erasure:preview shows the plan store by store; erasure:approve approves it.

export default defineCommand({
  name: "erasure:prepare",
  summary: "Prepare the erasure of the person linked to a request; it then awaits a second person's approval (needs erasure.request).",
  options: {
    ...operatorOption,
    request: { type: "string", description: "Request reference or id." },
    reason: { type: "string", description: `Why: ${ERASURE_REASONS.join(", ")}.` },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "erasure.request");
    const requestId = await requestIdFromRef(values.request as string | undefined);
    const reason = required(values, "reason");
    const r = await startErasure({ requestId, reason: reason as (typeof ERASURE_REASONS)[number], requestedBy: actor });
    if (!r.ok) {
      printJson({ ok: false, code: r.code, message: r.message });
      return r.code === "invalid" ? 2 : 1;
    }
    printJson({
      ok: true, requestId, jobId: r.jobId, created: r.created, nothingHeld: r.nothingHeld,
      message: r.created ? (r.nothingHeld ? "Nothing is held about this person; a second person approves closing it with a receipt." : "Prepared; a second person must approve it (erasure:approve).") : "This erasure was already prepared.",
    });
    return 0;
  },
});
