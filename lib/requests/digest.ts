import { db } from "@/lib/db";
import { daysLeft, effectiveDueDate, formatCalendarDate, isOverdue, startOfUtcDay } from "@/lib/requests/due-date";

// The daily digest (cron, `requests:digest`, and the dashboard): open requests that are overdue or
// fall due within the next N days, grouped by the person they are assigned to. References, types,
// states and dates only: no requester names or contacts (the digest is mailed around).

export type DigestItem = {
  reference: string;
  type: string;
  state: string;
  dueAt: string;
  daysLeft: number;
  overdue: boolean;
  paused: boolean;
};
export type DigestGroup = { assigneeId: string | null; assignee: string; items: DigestItem[] };

const DAY_MS = 86_400_000;

export async function buildDigest(now = new Date(), days = 7): Promise<{ generatedAt: string; horizon: string; groups: DigestGroup[] }> {
  const horizon = new Date(startOfUtcDay(now).getTime() + days * DAY_MS);
  const rows = await db().request.findMany({
    where: {
      closedAt: null,
      OR: [{ extendedDueAt: { lte: horizon } }, { extendedDueAt: null, dueAt: { lte: horizon } }],
    },
    select: { reference: true, type: true, state: true, dueAt: true, extendedDueAt: true, clockPausedAt: true, closedAt: true, assigneeId: true },
  });
  const staffIds = [...new Set(rows.map((r) => r.assigneeId).filter((x): x is string => !!x))];
  const staff = staffIds.length ? await db().staff.findMany({ where: { id: { in: staffIds } }, select: { id: true, displayName: true } }) : [];
  const names = new Map(staff.map((s) => [s.id, s.displayName]));
  const groups = new Map<string, DigestGroup>();
  for (const r of rows) {
    // A paused clock does not run: it is listed only when already past its date before pausing.
    if (r.clockPausedAt && daysLeft(r, now) > days) continue;
    const key = r.assigneeId ?? "";
    const g = groups.get(key) ?? { assigneeId: r.assigneeId, assignee: r.assigneeId ? (names.get(r.assigneeId) ?? "(unknown)") : "Unassigned", items: [] };
    g.items.push({
      reference: r.reference,
      type: r.type,
      state: r.state,
      dueAt: formatCalendarDate(effectiveDueDate(r)),
      daysLeft: daysLeft(r, now),
      overdue: isOverdue(r, now),
      paused: !!r.clockPausedAt,
    });
    groups.set(key, g);
  }
  const sorted = [...groups.values()].sort((a, b) => (a.assigneeId === null ? 1 : b.assigneeId === null ? -1 : a.assignee.localeCompare(b.assignee)));
  for (const g of sorted) g.items.sort((a, b) => a.daysLeft - b.daysLeft || a.reference.localeCompare(b.reference));
  return { generatedAt: now.toISOString(), horizon: formatCalendarDate(horizon), groups: sorted };
}
