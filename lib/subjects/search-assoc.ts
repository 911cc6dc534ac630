import { peersOf, type GlobalRow, type LocalRow } from "@/lib/subjects/search-server";
import type { AssociationFinding, ServerRef } from "@/lib/subjects/types";

// Association rows of one identity database as findings: tombstone state, which peers have
// received each local row (peers.lastSentVersion >= id), whether a global row answers lookups
// now and whether its signed association carries an "invites" array (sydent.md 2.1, 2.3).

export function dedupe<T extends { id: number }>(rows: T[]): T[] {
  return [...new Map(rows.map((r) => [r.id, r])).values()].sort((a, b) => a.id - b.id);
}

export function associationsOf(ref: ServerRef, localRows: Iterable<LocalRow>, globalRows: Iterable<GlobalRow>, peers: ReturnType<typeof peersOf>, now: number): AssociationFinding[] {
  // The columns both tables share, in one place; each table adds what only it knows.
  const common = (r: LocalRow | GlobalRow) => ({
    id: r.id, medium: r.medium, address: r.address, mxid: r.mxid,
    tsMs: r.ts, notBeforeMs: r.notBefore, notAfterMs: r.notAfter, lookupHash: r.lookup_hash,
  });
  const local: AssociationFinding[] = [...localRows].map((r) => ({
    ...common(r),
    table: "local",
    originServer: ref.serverName,
    originId: r.id,
    state: r.mxid ? "bound" : "tombstone",
    deliveredTo: peers.map((p) => ({ peer: p.name, active: p.active, received: p.lastSentVersion !== null && p.lastSentVersion >= r.id })),
  }));
  const global: AssociationFinding[] = [...globalRows].map((r) => ({
    ...common(r),
    table: "global",
    originServer: r.originServer,
    originId: r.originId,
    state: "bound",
    sgAssocCarriesInvites: carriesInvites(r.sgAssoc),
    answersLookupsNow: r.notBefore < now && now < r.notAfter,
  }));
  return [...local, ...global].sort((a, b) => a.table.localeCompare(b.table) * -1 || a.id - b.id);
}

function carriesInvites(sgAssoc: string): boolean {
  try {
    const v = JSON.parse(sgAssoc) as { invites?: unknown };
    return Array.isArray(v.invites) && v.invites.length > 0;
  } catch {
    return false;
  }
}
