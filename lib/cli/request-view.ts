import type { Actor } from "@/lib/audit/types";
import { getRequest, type RequestView } from "@/lib/requests/queries";
import type { Role } from "@/lib/authz";

// What the request commands print about a request: the register's own view (lib/requests/queries.ts),
// masked for roles without requests.viewPersonal, dates as YYYY-MM-DD.

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

export function requestJson(r: RequestView) {
  return {
    id: r.id,
    reference: r.reference,
    type: r.type,
    state: r.state,
    requesterName: r.requesterName,
    requesterContact: r.requesterContact,
    masked: r.isMasked,
    channel: r.channel,
    identificationMethod: r.identificationMethod,
    summary: r.summary,
    receivedAt: day(r.receivedAt),
    dueAt: day(r.dueAt),
    extendedDueAt: day(r.extendedDueAt),
    effectiveDueAt: day(r.effectiveDueAt),
    extensionReason: r.extensionReason,
    daysLeft: r.daysLeft,
    overdue: r.isOverdue,
    assignee: r.assigneeName,
    createdBy: r.createdByName,
    closedAt: r.closedAt?.toISOString() ?? null,
    outcome: r.outcome,
  };
}

export async function requestJsonFor(id: string, actor: Actor) {
  const r = await getRequest(id, { id: actor.id!, role: actor.role as Role });
  return r ? requestJson(r) : null;
}
