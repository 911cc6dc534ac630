import { can, ROLES, type Role } from "@/lib/authz";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/console/client";
import { maskContact, maskName } from "@/lib/mask";
import { parseIdentification } from "@/lib/requests/catalogue";
import { daysLeft, effectiveDueDate, isOverdue, startOfUtcDay } from "@/lib/requests/due-date";
import type { RequestSearch, RequestSort } from "@/lib/requests/schemas";

// Reads of the request register. Whoever lacks requests.viewPersonal (auditors) gets the
// requester's name and contact masked and free-text fields withheld, here on the server, so the
// clear values never reach their browser. No 'server-only' import: the tests load this module.

export type Viewer = { id: string; role: Role };

const requestSelect = {
  id: true, reference: true, type: true, state: true, requesterName: true, requesterContact: true,
  identification: true, channel: true, summary: true, receivedAt: true, dueAt: true, extendedDueAt: true,
  extensionReason: true, clockPausedAt: true, pausedDays: true, refusalGround: true, assigneeId: true, createdById: true, closedAt: true, outcome: true, createdAt: true,
} satisfies Prisma.RequestSelect;
type RequestRecord = Prisma.RequestGetPayload<{ select: typeof requestSelect }>;

export const WITHHELD = "(withheld: may contain personal data)";

export function canSeePersonal(viewer: Viewer): boolean {
  return can(viewer.role, "requests.viewPersonal");
}

function toView(r: RequestRecord, viewer: Viewer, staffNames: Map<string, string>, now: Date) {
  const clear = canSeePersonal(viewer);
  const ident = parseIdentification(r.identification);
  return {
    ...r,
    requesterName: clear ? r.requesterName : maskName(r.requesterName),
    requesterContact: clear ? r.requesterContact : maskContact(r.requesterContact),
    identificationMethod: ident.method,
    identificationNote: clear ? ident.note : ident.note ? WITHHELD : null,
    identification: undefined,
    summary: clear || !r.summary ? r.summary : WITHHELD,
    extensionReason: clear || !r.extensionReason ? r.extensionReason : WITHHELD,
    outcome: clear || !r.outcome ? r.outcome : WITHHELD,
    isMasked: !clear,
    effectiveDueAt: effectiveDueDate(r),
    daysLeft: r.closedAt ? null : daysLeft(r, now),
    isOverdue: isOverdue(r, now),
    assigneeName: r.assigneeId ? (staffNames.get(r.assigneeId) ?? "(unknown)") : null,
    createdByName: staffNames.get(r.createdById) ?? "(unknown)",
  };
}
export type RequestView = ReturnType<typeof toView>;

async function staffNamesFor(rows: RequestRecord[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.flatMap((r) => [r.assigneeId, r.createdById]).filter((x): x is string => !!x))];
  if (ids.length === 0) return new Map();
  const staff = await db().staff.findMany({ where: { id: { in: ids } }, select: { id: true, displayName: true } });
  return new Map(staff.map((s) => [s.id, s.displayName]));
}

export type FindRequestsOptions = Partial<RequestSearch> & { viewer: Viewer; now?: Date };

export function buildRequestWhere(o: FindRequestsOptions, now: Date): Prisma.RequestWhereInput {
  const and: Prisma.RequestWhereInput[] = [];
  if (o.type) and.push({ type: o.type });
  if (o.state === "open") and.push({ closedAt: null });
  else if (o.state) and.push({ state: o.state });
  if (o.assignee === "me") and.push({ assigneeId: o.viewer.id });
  else if (o.assignee === "unassigned") and.push({ assigneeId: null });
  else if (o.assignee) and.push({ assigneeId: o.assignee });
  if (o.q) and.push({ reference: { contains: o.q.toUpperCase() } });
  if (o.overdue) {
    // Due dates are 00:00Z of the due day; a request is overdue once that day is over.
    const today = startOfUtcDay(now);
    and.push({
      closedAt: null,
      // A paused clock does not run: never overdue while paused.
      clockPausedAt: null,
      OR: [{ extendedDueAt: { lt: today } }, { extendedDueAt: null, dueAt: { lt: today } }],
    });
  }
  return and.length ? { AND: and } : {};
}

const ORDER: Record<Exclude<RequestSort, "due">, keyof RequestRecord> = {
  reference: "reference",
  type: "type",
  state: "state",
  receivedAt: "receivedAt",
};

/**
 * The effective due date (extendedDueAt ?? dueAt) is not a column Prisma can order by, so for that
 * sort we order the matching ids in memory: the register holds hundreds of rows a year, not millions.
 */
async function pageByEffectiveDue(where: Prisma.RequestWhereInput, dir: "asc" | "desc", skip: number, take: number) {
  const keys = await db().request.findMany({ where, select: { id: true, reference: true, dueAt: true, extendedDueAt: true } });
  const sign = dir === "asc" ? 1 : -1;
  keys.sort(
    (a, b) =>
      sign * (effectiveDueDate(a).getTime() - effectiveDueDate(b).getTime()) || sign * a.reference.localeCompare(b.reference),
  );
  const ids = keys.slice(skip, skip + take).map((k) => k.id);
  const rows = await db().request.findMany({ where: { id: { in: ids } }, select: requestSelect });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return { rows: ids.map((id) => byId.get(id)).filter((r): r is RequestRecord => !!r), count: keys.length };
}

export async function findRequests(o: FindRequestsOptions) {
  const now = o.now ?? new Date();
  const page = Math.max(1, o.page ?? 1);
  const pageSize = Math.min(100, Math.max(1, o.pageSize ?? 25));
  const sort = o.sort ?? "due";
  const dir = o.dir ?? "asc";
  const where = buildRequestWhere(o, now);
  const skip = (page - 1) * pageSize;
  const { rows, count } =
    sort === "due"
      ? await pageByEffectiveDue(where, dir, skip, pageSize)
      : await Promise.all([
          db().request.findMany({
            where,
            select: requestSelect,
            orderBy: [{ [ORDER[sort]]: dir }, { reference: dir }],
            skip,
            take: pageSize,
          }),
          db().request.count({ where }),
        ]).then(([rows, count]) => ({ rows, count }));
  const names = await staffNamesFor(rows);
  return {
    data: rows.map((r) => toView(r, o.viewer, names, now)),
    count,
    page,
    pageSize,
    totalPages: Math.max(1, Math.ceil(count / pageSize)),
  };
}

export async function getRequest(id: string, viewer: Viewer, now = new Date()): Promise<RequestView | null> {
  const r = await db().request.findUnique({ where: { id }, select: requestSelect });
  if (!r) return null;
  return toView(r, viewer, await staffNamesFor([r]), now);
}

/**
 * The request's history, straight from the access log (entries linked by requestId), oldest first.
 * Entries marked `additionalTarget` repeat an event for a further identifier of the same person
 * (one entry per identifier, so "who accessed this person" finds each): shown once here. The
 * purpose column holds free text (an extension's reason): withheld from viewers without
 * requests.viewPersonal.
 */
export async function getRequestTimeline(id: string, viewer?: Viewer) {
  const entries = await db().accessLogEntry.findMany({
    where: { requestId: id },
    orderBy: { seq: "asc" },
    select: { seq: true, at: true, actorLabel: true, actorRole: true, action: true, outcome: true, purpose: true, details: true },
  });
  const clear = !viewer || canSeePersonal(viewer);
  return entries
    .map((e) => ({
      ...e,
      purpose: clear || !e.purpose ? e.purpose : WITHHELD,
      details: e.details ? (JSON.parse(e.details) as Record<string, unknown>) : null,
    }))
    .filter((e) => e.details?.additionalTarget !== true);
}
export type TimelineEntry = Awaited<ReturnType<typeof getRequestTimeline>>[number];

/** Active staff who may be assigned requests (roles with requests.update). */
export async function findAssignableStaff() {
  const roles = ROLES.filter((r) => can(r, "requests.update"));
  return db().staff.findMany({
    where: { disabledAt: null, role: { in: [...roles] } },
    select: { id: true, displayName: true, role: true },
    orderBy: { displayName: "asc" },
  });
}
