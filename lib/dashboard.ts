import { db } from "@/lib/db";
import { can, type Role } from "@/lib/authz";

// Counts only (no personal data), each shown only to roles allowed to open the page behind it.
const CLOSED = ["completed", "rejected", "withdrawn"];

export async function getDashboard(role: Role, now = new Date()) {
  const soon = new Date(now.getTime() + 7 * 86_400_000);
  const open = { state: { notIn: CLOSED } };
  // A paused legal clock (identity check, clarification) does not run: not overdue, not due soon.
  const running = { ...open, clockPausedAt: null };
  const effectiveDueBefore = (t: Date) => ({
    OR: [
      { extendedDueAt: null, dueAt: { lt: t } },
      { extendedDueAt: { lt: t } },
    ],
  });
  const [requests, servers, accessLog] = await Promise.all([
    can(role, "requests.view")
      ? Promise.all([
          db().request.count({ where: open }),
          db().request.count({ where: { ...running, ...effectiveDueBefore(now) } }),
          db().request.count({ where: { AND: [running, effectiveDueBefore(soon), { NOT: effectiveDueBefore(now) }] } }),
        ]).then(([o, overdue, dueSoon]) => ({ open: o, overdue, dueSoon }))
      : null,
    can(role, "servers.view") ? db().identityServer.count({ where: { disabledAt: null } }).then((count) => ({ count })) : null,
    can(role, "accessLog.view")
      ? Promise.all([db().accessLogHead.findUnique({ where: { id: 1 } }), db().accessLogCheckpoint.count()]).then(
          ([head, checkpoints]) => ({ entries: head?.seq ?? 0, checkpoints }),
        )
      : null,
  ]);
  return { requests, servers, accessLog };
}
