import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { operatorOption, requestIdFromRef } from "@/lib/erasure/bulk-cli";
import { jobsForRequest } from "@/lib/erasure/queries";
import { previewErasure } from "@/lib/erasure/workflow-preview";

// What the prepared erasure(s) of a request will do, server by server and store by store.
// Identifiers in the output are masked (the preview page shows the same).

export default defineCommand({
  name: "erasure:preview",
  summary: "Preview the prepared erasure(s) of a request, store by store (needs erasure.preview).",
  options: { request: { type: "string", description: "Request reference or id." }, ...operatorOption },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "erasure.preview");
    const requestId = await requestIdFromRef(values.request as string | undefined);
    const jobs = await jobsForRequest(requestId);
    if (jobs.length === 0) {
      console.error("No erasure has been prepared for this request yet (prepare it on the request page).");
      printJson({ requestId, jobs: [] });
      return 1;
    }
    const out = [];
    for (const j of jobs) {
      const p = await previewErasure(j.id, actor);
      out.push({ jobId: j.id, state: j.state, reason: j.reason, masked: j.subjectMasked, preview: p && { ...p, identifiers: undefined } });
    }
    printJson({ requestId, jobs: out });
    return 0;
  },
});
