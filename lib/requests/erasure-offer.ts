// What the request page offers for erasure. An erasure request offers "Prepare erasure" with every
// reason and none preselected; any other open request (a complaint, an access request...) offers
// only the "under 16" erasure of the privacy notice's section 3.5, tucked away and chosen on
// purpose, never as the request's main action. A rectification request offers the rectification
// unbind. Nothing is offered again while an erasure of the
// request exists (awaiting approval, running, done...): one job per request and person, so a second
// press would only return the same job. A cancelled one does not count.

export type ErasureOffer =
  | { kind: "none"; reason: "closed" | "no_permission" | "no_subject" }
  | { kind: "blocked"; jobId: string; state: string }
  | { kind: "erasure_request"; reasons: readonly string[] }
  | { kind: "under_16_only"; reasons: readonly string[] };

export function erasureOffer(input: {
  requestType: string; open: boolean; canRequest: boolean; subjects: number;
  jobs: { id: string; state: string }[]; reasons: readonly string[];
}): ErasureOffer {
  if (!input.open) return { kind: "none", reason: "closed" };
  if (!input.canRequest) return { kind: "none", reason: "no_permission" };
  const active = input.jobs.find((j) => j.state !== "cancelled");
  if (active) return { kind: "blocked", jobId: active.id, state: active.state };
  if (input.subjects === 0) return { kind: "none", reason: "no_subject" };
  if (input.requestType === "erasure") return { kind: "erasure_request", reasons: input.reasons.filter((r) => r !== "rectification") };
  // Rectification (Art. 16): the wrong binding is unbound with the erasure machinery.
  if (input.requestType === "rectification") return { kind: "erasure_request", reasons: input.reasons.filter((r) => r === "rectification") };
  return { kind: "under_16_only", reasons: input.reasons.filter((r) => r === "under_16") };
}
