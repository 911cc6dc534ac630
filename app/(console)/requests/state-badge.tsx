import { STATE_LABELS, type RequestState } from "@/lib/requests/states";

const TONE: Record<RequestState, string> = {
  received: "badge-warn",
  identity_check: "badge-warn",
  clarification: "badge-warn",
  in_progress: "",
  awaiting_approval: "badge-warn",
  completed: "badge-ok",
  rejected: "badge-bad",
  withdrawn: "",
};

export function StateBadge({ state }: { state: string }) {
  const s = state as RequestState;
  return <span className={`badge ${TONE[s] ?? ""}`.trim()}>{STATE_LABELS[s] ?? state}</span>;
}
