import { db } from "@/lib/db";
import type { AccessLogEntry, Prisma } from "@/lib/generated/console/client";
import { accessLogRowSelect, type AccessLogRow, type FindResult } from "@/lib/audit/queries";
import type { TrailSort } from "@/lib/audit/workspace/schemas";

// A request's trail in the access log: search, reveals, package, approvals, erasure steps,
// receipts. Two kinds of entry are in it:
// - entries that name the request: requestId is the request, or the request is the target;
// - entries about one of the request's linked subjects (RequestSubject.pseudonym, the same
//   HMAC lib/audit/pseudonym.ts puts in targetPseudonym) written while the request was open, from
//   its registration (createdAt) to its close (or now). Subject searches and purpose-based
//   reveals carry no requestId, so only this finds them; they are marked "matched by subject, not
//   linked to the request", because the log does not say they were done for this request.
// Read a page at a time (the page) or in seq-ordered pages (the CLI, the evidence pack, the CSV):
// a bulk batch writes one entry per row, so a trail can hold thousands.

export type TrailMatch = "request" | "subject";
export const SUBJECT_MATCH_LABEL = "matched by subject, not linked to the request";
export const REQUEST_MATCH_LABEL = "names the request";

export type TrailScope = {
  request: { id: string; reference: string; type: string; state: string; createdAt: Date; closedAt: Date | null };
  /** Pseudonyms of the request's linked subjects. */
  pseudonyms: string[];
  /** The open period subject matches are taken from: registration to close, or now. */
  from: Date;
  to: Date;
};

/** The request and what its trail matches on; null when there is no such request. */
export async function getTrailScope(requestId: string, now = new Date()): Promise<TrailScope | null> {
  const request = await db().request.findUnique({
    where: { id: requestId },
    select: { id: true, reference: true, type: true, state: true, createdAt: true, closedAt: true },
  });
  if (!request) return null;
  const subjects = await db().requestSubject.findMany({ where: { requestId }, select: { pseudonym: true }, orderBy: { createdAt: "asc" } });
  return { request, pseudonyms: [...new Set(subjects.map((s) => s.pseudonym))], from: request.createdAt, to: request.closedAt ?? now };
}

function directWhere(s: TrailScope): Prisma.AccessLogEntryWhereInput {
  return { OR: [{ requestId: s.request.id }, { targetType: "request", targetRef: s.request.id }] };
}

export function trailWhere(s: TrailScope, upToSeq?: number): Prisma.AccessLogEntryWhereInput {
  const or: Prisma.AccessLogEntryWhereInput[] = [{ requestId: s.request.id }, { targetType: "request", targetRef: s.request.id }];
  if (s.pseudonyms.length > 0) or.push({ targetPseudonym: { in: s.pseudonyms }, at: { gte: s.from, lte: s.to } });
  return upToSeq === undefined ? { OR: or } : { AND: [{ OR: or }, { seq: { lte: upToSeq } }] };
}

/** Why an entry of the trail is in it. */
export function matchOf(s: TrailScope, e: Pick<AccessLogEntry, "requestId" | "targetType" | "targetRef">): TrailMatch {
  return e.requestId === s.request.id || (e.targetType === "request" && e.targetRef === s.request.id) ? "request" : "subject";
}

/** How many entries the trail holds, and how many of them only by subject. */
export async function countRequestTrail(s: TrailScope, upToSeq?: number): Promise<{ entries: number; bySubject: number }> {
  const upTo = upToSeq === undefined ? {} : { seq: { lte: upToSeq } };
  // Counted as all minus direct (not NOT(direct)): NOT over nullable columns drops rows whose
  // requestId is NULL in SQL's three-valued logic.
  const [entries, direct] = await Promise.all([
    db().accessLogEntry.count({ where: trailWhere(s, upToSeq) }),
    db().accessLogEntry.count({ where: { AND: [directWhere(s), upTo] } }),
  ]);
  return { entries, bySubject: entries - direct };
}

export type TrailRow = AccessLogRow & { match: TrailMatch };

export type FindRequestTrailOptions = { scope: TrailScope; page: number; pageSize: number; sort: TrailSort; dir: "asc" | "desc" };

/** One page of the trail, for the trail page; bySubject counts the whole trail's subject matches. */
export async function findRequestTrail(o: FindRequestTrailOptions): Promise<FindResult<TrailRow> & { bySubject: number }> {
  const orderBy: Prisma.AccessLogEntryOrderByWithRelationInput[] = o.sort === "seq" ? [{ seq: o.dir }] : [{ [o.sort]: o.dir }, { seq: o.dir }];
  const [rows, counts] = await Promise.all([
    db().accessLogEntry.findMany({ where: trailWhere(o.scope), orderBy, skip: (o.page - 1) * o.pageSize, take: o.pageSize, select: accessLogRowSelect }),
    countRequestTrail(o.scope),
  ]);
  return {
    data: rows.map((r) => ({ ...r, match: matchOf(o.scope, r) })),
    count: counts.entries,
    bySubject: counts.bySubject,
    page: o.page,
    pageSize: o.pageSize,
    totalPages: Math.max(1, Math.ceil(counts.entries / o.pageSize)),
  };
}

/** The whole trail (every field, for hashes) in seq order, a page at a time, up to a fixed seq. */
export async function* iterateRequestTrail(s: TrailScope, o: { upToSeq: number; pageSize?: number }): AsyncGenerator<(AccessLogEntry & { match: TrailMatch })[]> {
  const take = o.pageSize ?? 1000;
  let after = 0;
  for (;;) {
    const rows = await db().accessLogEntry.findMany({ where: { AND: [trailWhere(s, o.upToSeq), { seq: { gt: after } }] }, orderBy: { seq: "asc" }, take });
    if (rows.length > 0) yield rows.map((r) => ({ ...r, match: matchOf(s, r) }));
    if (rows.length < take) return;
    after = rows[rows.length - 1].seq;
  }
}
