// Request states and the one table of allowed transitions. identity_check and clarification
// pause the legal clock (lib/requests/clock.ts). completed, rejected and withdrawn
// are closing states: reaching one sets closedAt and needs an outcome note, so only
// closeRequest (requests.close) may enter them; changeState (requests.update) moves between
// the open states.

export const REQUEST_STATES = [
  "received",
  "identity_check",
  "clarification",
  "in_progress",
  "awaiting_approval",
  "completed",
  "rejected",
  "withdrawn",
] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const CLOSED_STATES = ["completed", "rejected", "withdrawn"] as const;
export type ClosedState = (typeof CLOSED_STATES)[number];
export type OpenState = Exclude<RequestState, ClosedState>;

export const STATE_LABELS: Record<RequestState, string> = {
  received: "Received",
  identity_check: "Identity check",
  clarification: "Awaiting clarification",
  in_progress: "In progress",
  awaiting_approval: "Awaiting approval",
  completed: "Completed",
  rejected: "Rejected",
  withdrawn: "Withdrawn",
};

export const TRANSITIONS: Record<RequestState, readonly RequestState[]> = {
  received: ["identity_check", "clarification", "in_progress", "rejected", "withdrawn"],
  identity_check: ["clarification", "in_progress", "rejected", "withdrawn"],
  clarification: ["identity_check", "in_progress", "rejected", "withdrawn"],
  in_progress: ["identity_check", "clarification", "awaiting_approval", "completed", "rejected", "withdrawn"],
  awaiting_approval: ["in_progress", "completed", "rejected", "withdrawn"],
  completed: [],
  rejected: [],
  withdrawn: [],
};

export function isRequestState(v: string): v is RequestState {
  return (REQUEST_STATES as readonly string[]).includes(v);
}

export function isClosedState(s: string): s is ClosedState {
  return (CLOSED_STATES as readonly string[]).includes(s);
}

export function canTransition(from: string, to: string): boolean {
  return isRequestState(from) && isRequestState(to) && TRANSITIONS[from].includes(to);
}

/** Open states reachable from `from` (what the state-change control offers). */
export function openTransitions(from: string): OpenState[] {
  if (!isRequestState(from)) return [];
  return TRANSITIONS[from].filter((s): s is OpenState => !isClosedState(s));
}

/** Closing states reachable from `from` (what the close control offers). */
export function closeTransitions(from: string): ClosedState[] {
  if (!isRequestState(from)) return [];
  return TRANSITIONS[from].filter(isClosedState);
}
