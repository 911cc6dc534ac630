import { recordAccess } from "@/lib/audit/log";
import type { Role } from "@/lib/authz";
import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { requestJson } from "@/lib/cli/request-view";
import { operatorOption, requestIdFromRef } from "@/lib/erasure/bulk-cli";
import { jobsForRequest } from "@/lib/erasure/queries";
import { findRequestPackages } from "@/lib/exports/queries";
import { getRequest, getRequestTimeline } from "@/lib/requests/queries";
import { listRequestSubjects } from "@/lib/subjects/link";

// One request as its page shows it: details (masked per role), linked subjects (masked),
// packages, erasures and the history from the access log. Logged as request.view, like the page.

export default defineCommand({
  name: "request:show",
  summary: "Show one request: details, linked subjects, packages, erasures, history (needs requests.view).",
  options: { ...operatorOption, request: { type: "string", description: "Request reference or id." } },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "requests.view");
    const id = await requestIdFromRef(values.request as string | undefined);
    const viewer = { id: actor.id!, role: actor.role as Role };
    const r = await getRequest(id, viewer);
    if (!r) return (printJson({ ok: false, code: "not_found", message: "No such request." }), 1);
    await recordAccess({ actor, action: "request.view", target: { type: "request", ref: r.id }, requestId: r.id, outcome: "ok", details: { masked: r.isMasked } });
    const [timeline, subjects, packages, erasures] = await Promise.all([getRequestTimeline(id, viewer), listRequestSubjects(id), findRequestPackages(id), jobsForRequest(id)]);
    printJson({
      ok: true,
      request: requestJson(r),
      subjects: subjects.map((s) => ({ type: s.type, masked: s.masked, addedBy: s.addedByName, at: s.createdAt.toISOString() })),
      packages,
      erasures: erasures.map((j) => ({ jobId: j.id, state: j.state, reason: j.reason, masked: j.subjectMasked })),
      history: timeline.map((e) => ({ seq: e.seq, at: e.at.toISOString(), actor: e.actorLabel, role: e.actorRole, action: e.action, outcome: e.outcome, purpose: e.purpose })),
    });
    return 0;
  },
});
