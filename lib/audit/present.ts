import { db } from "@/lib/db";
import { REVEAL_PURPOSES, REVEAL_PURPOSE_LABELS, type RevealPurpose } from "@/lib/subjects/purposes";

// How the access-log pages show an entry to people: requests as their REQ-… reference, staff by
// name, purposes by their label (the stored value is "<key>: <note>"), times on one line. The
// stored entry is never changed; this only reads the request and staff tables beside it.

/** "reveal_dpo: checking a complaint" -> { label: "…", note: "checking a complaint" }; other text as is. */
export function purposeDisplay(purpose: string | null): { label: string | null; note: string | null } {
  if (!purpose) return { label: null, note: null };
  const i = purpose.indexOf(":");
  const key = (i < 0 ? purpose : purpose.slice(0, i)).trim();
  if ((REVEAL_PURPOSES as readonly string[]).includes(key)) {
    const note = i < 0 ? "" : purpose.slice(i + 1).trim();
    return { label: REVEAL_PURPOSE_LABELS[key as RevealPurpose], note: note || null };
  }
  return { label: null, note: purpose };
}

export { logTime } from "@/lib/audit/present-time";

export type EntryNames = { requests: Record<string, string>; staff: Record<string, string> };

/** References of the requests and names of the staff the entries mention (ids unknown stay out). */
export async function entryNames(rows: { requestId: string | null; actorId: string | null; targetType?: string | null; targetRef?: string | null }[]): Promise<EntryNames> {
  const requestIds = new Set<string>();
  const staffIds = new Set<string>();
  for (const r of rows) {
    if (r.requestId) requestIds.add(r.requestId);
    if (r.actorId) staffIds.add(r.actorId);
    if (r.targetType === "request" && r.targetRef) requestIds.add(r.targetRef);
    if (r.targetType === "staff" && r.targetRef) staffIds.add(r.targetRef);
  }
  const [requests, staff] = await Promise.all([
    requestIds.size ? db().request.findMany({ where: { id: { in: [...requestIds] } }, select: { id: true, reference: true } }) : [],
    staffIds.size ? db().staff.findMany({ where: { id: { in: [...staffIds] } }, select: { id: true, displayName: true } }) : [],
  ]);
  return {
    requests: Object.fromEntries(requests.map((r) => [r.id, r.reference])),
    staff: Object.fromEntries(staff.map((s) => [s.id, s.displayName])),
  };
}
