import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/console/client";
import { startOfNextUtcDay, startOfUtcDay } from "@/lib/validation";
import type { AccessLogFilter, AccessLogSort } from "@/lib/audit/schemas";

// Reads of the access log for the auditor's page and the CSV export. The log holds no
// identifiers (targets are pseudonyms), so nothing here needs masking. No 'server-only': tests
// load this module.

export const accessLogRowSelect = {
  seq: true, at: true, actorId: true, actorLabel: true, actorRole: true, action: true, targetType: true, targetPseudonym: true,
  targetRef: true, requestId: true, purpose: true, outcome: true, ip: true,
} satisfies Prisma.AccessLogEntrySelect;
export type AccessLogRow = Prisma.AccessLogEntryGetPayload<{ select: typeof accessLogRowSelect }>;

export function accessLogWhere(f: AccessLogFilter): Prisma.AccessLogEntryWhereInput {
  const and: Prisma.AccessLogEntryWhereInput[] = [];
  if (f.action) and.push({ action: { startsWith: f.action } });
  if (f.actor) and.push({ actorLabel: { contains: f.actor.toLowerCase() } });
  if (f.role) and.push({ actorRole: f.role });
  if (f.outcome) and.push({ outcome: f.outcome });
  if (f.requestId) and.push({ requestId: f.requestId });
  if (f.from) and.push({ at: { gte: startOfUtcDay(f.from) } });
  if (f.to) and.push({ at: { lt: startOfNextUtcDay(f.to) } });
  if (f.target) and.push({ targetPseudonym: f.target.length === 64 ? f.target : { startsWith: f.target } });
  return and.length ? { AND: and } : {};
}

export type FindAccessLogEntriesOptions = {
  filter: AccessLogFilter;
  page: number;
  pageSize: number;
  sort: AccessLogSort;
  dir: "asc" | "desc";
};

export type FindResult<T> = { data: T[]; count: number; page: number; pageSize: number; totalPages: number };

export async function findAccessLogEntries(o: FindAccessLogEntriesOptions): Promise<FindResult<AccessLogRow>> {
  const where = accessLogWhere(o.filter);
  // seq breaks ties, so paging through equal actions or times never repeats or skips a row.
  const orderBy: Prisma.AccessLogEntryOrderByWithRelationInput[] =
    o.sort === "seq" ? [{ seq: o.dir }] : [{ [o.sort]: o.dir }, { seq: o.dir }];
  const [data, count] = await Promise.all([
    db().accessLogEntry.findMany({ where, orderBy, skip: (o.page - 1) * o.pageSize, take: o.pageSize, select: accessLogRowSelect }),
    db().accessLogEntry.count({ where }),
  ]);
  return { data, count, page: o.page, pageSize: o.pageSize, totalPages: Math.max(1, Math.ceil(count / o.pageSize)) };
}

/** The full entries (with hashes, for re-verification), in pages by seq: constant memory for exports. */
export async function* iterateAccessLogEntries(o: { filter: AccessLogFilter; maxSeq: number; pageSize?: number }) {
  const take = o.pageSize ?? 2000;
  const base = accessLogWhere(o.filter);
  let after = 0;
  for (;;) {
    const rows = await db().accessLogEntry.findMany({
      where: { AND: [base, { seq: { gt: after, lte: o.maxSeq } }] },
      orderBy: { seq: "asc" },
      take,
    });
    if (rows.length > 0) yield rows;
    if (rows.length < take) return;
    after = rows[rows.length - 1].seq;
  }
}

export async function countAccessLogEntries(o: { filter: AccessLogFilter; maxSeq: number }): Promise<number> {
  return db().accessLogEntry.count({ where: { AND: [accessLogWhere(o.filter), { seq: { lte: o.maxSeq } }] } });
}

export async function getAccessLogHeadSeq(): Promise<number> {
  return (await db().accessLogHead.findUniqueOrThrow({ where: { id: 1 } })).seq;
}

/** The latest checkpoint, for the page's integrity panel. */
export async function getLastCheckpoint() {
  return db().accessLogCheckpoint.findFirst({
    orderBy: { id: "desc" },
    select: { seq: true, sealedAt: true, keyId: true, sealedBy: true },
  });
}
