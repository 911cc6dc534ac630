import { pseudonymFor } from "@/lib/audit/pseudonym";
import type { Target } from "@/lib/audit/types";
import { db } from "@/lib/db";

// Which requests a found person is linked to (RequestSubject rows whose pseudonym is one of the
// person's identifiers). Returns references, types and states only: no personal data, so the
// masked search may show it too ("this person already has an open access request").

export type LinkedRequest = { id: string; reference: string; type: string; state: string; closed: boolean };

export async function linkedRequestsFor(targets: Target[]): Promise<LinkedRequest[]> {
  const pseudonyms = [...new Set(targets.flatMap((t) => ("value" in t ? [pseudonymFor(t.type, t.value)] : [])))];
  if (pseudonyms.length === 0) return [];
  const links = await db().requestSubject.findMany({ where: { pseudonym: { in: pseudonyms } }, select: { requestId: true } });
  const ids = [...new Set(links.map((l) => l.requestId))];
  if (ids.length === 0) return [];
  const rows = await db().request.findMany({
    where: { id: { in: ids } },
    orderBy: { receivedAt: "desc" },
    select: { id: true, reference: true, type: true, state: true, closedAt: true },
  });
  return rows.map((r) => ({ id: r.id, reference: r.reference, type: r.type, state: r.state, closed: r.closedAt !== null }));
}
