import { withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import type { OpenState, RequestState } from "@/lib/requests/states";

// The request's state follows the work done on it: preparing an erasure or generating a package
// puts it in "awaiting approval" (a second person must act); approving that erasure or package
// puts it back "in progress" (run the erasure / send the link, then close). Only these automatic
// moves, only forward from the states listed (a request still in its identity check stays
// there), never out of a closed request; each is one
// request.state.change entry (details.automatic, details.cause) in the same transaction.

export type AdvanceCause = "erasure.prepared" | "erasure.approved" | "package.generated" | "package.approved";

const MOVES: Record<AdvanceCause, { from: readonly RequestState[]; to: OpenState }> = {
  "erasure.prepared": { from: ["received", "in_progress"], to: "awaiting_approval" },
  "package.generated": { from: ["received", "in_progress"], to: "awaiting_approval" },
  "erasure.approved": { from: ["awaiting_approval"], to: "in_progress" },
  "package.approved": { from: ["awaiting_approval"], to: "in_progress" },
};

/** The state `cause` moves a request in `from` to, or null when it stays. */
export function advancedState(from: string, cause: AdvanceCause): OpenState | null {
  const m = MOVES[cause];
  return (m.from as readonly string[]).includes(from) ? m.to : null;
}

/** Moves the request forward after `cause`; returns the new state or null (unchanged). Never throws
 * for a request that changed meanwhile: the work it follows has already been recorded. */
export async function advanceRequest(actor: Actor, requestId: string, cause: AdvanceCause): Promise<OpenState | null> {
  const r = await db().request.findUnique({ where: { id: requestId }, select: { state: true, closedAt: true } });
  if (!r || r.closedAt) return null;
  const to = advancedState(r.state, cause);
  if (!to) return null;
  const entry = {
    actor, action: "request.state.change", target: { type: "request" as const, ref: requestId }, requestId,
    outcome: "ok" as const, details: { from: r.state, to, automatic: true, cause },
  };
  try {
    const count = await withAccessLog(entry, async (tx) => {
      const { count } = await tx.request.updateMany({ where: { id: requestId, state: r.state, closedAt: null }, data: { state: to } });
      if (count !== 1) throw new Error("changed meanwhile");
      return count;
    });
    return count === 1 ? to : null;
  } catch {
    return null;
  }
}
