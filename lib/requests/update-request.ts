import { appendAccessLog, withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { can, isRole } from "@/lib/authz";
import { db, type ConsoleTx } from "@/lib/db";
import { identifierInText, identifierInTextMessage } from "@/lib/free-text";
import { isPausingState, isRefusalGround, resumeDeadlines, type RefusalGround } from "@/lib/requests/clock";
import { checkExtension } from "@/lib/requests/due-date";
import { canTransition, isClosedState, type ClosedState, type OpenState } from "@/lib/requests/states";

// Changes to a registered request. Each runs its change and its access-log entry in one
// transaction. Preconditions (current state, still open, not yet extended) are repeated in the
// UPDATE's where, so a concurrent change makes the update match no row instead of being lost.

export type UpdateResult = { ok: true } | { ok: false; message: string };

class Refusal extends Error {}

const logInput = (actor: Actor, id: string, action: string, details: Record<string, unknown>, purpose?: string) => ({
  actor,
  action,
  target: { type: "request" as const, ref: id },
  requestId: id,
  outcome: "ok" as const,
  purpose: purpose ?? null,
  details,
});

async function run(fn: () => Promise<void>): Promise<UpdateResult> {
  try {
    await fn();
    return { ok: true };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, message: e.message };
    throw e;
  }
}

async function loadOpen(tx: ConsoleTx, id: string) {
  const r = await tx.request.findUnique({ where: { id } });
  if (!r) throw new Refusal("This request does not exist.");
  if (r.closedAt) throw new Refusal("This request is closed.");
  return r;
}

function expectOne(count: number): void {
  if (count !== 1) throw new Refusal("The request changed meanwhile; reload the page and try again.");
}

export async function assignRequestRecord(actor: Actor, id: string, assigneeId: string | null): Promise<UpdateResult> {
  return run(async () => {
    if (assigneeId) {
      const staff = await db().staff.findUnique({ where: { id: assigneeId } });
      if (!staff || staff.disabledAt || !isRole(staff.role) || !can(staff.role, "requests.update")) {
        throw new Refusal("Choose an active staff member who can work on requests.");
      }
    }
    await withAccessLog(logInput(actor, id, "request.assign", { assigneeId }), async (tx) => {
      const r = await loadOpen(tx, id);
      const { count } = await tx.request.updateMany({ where: { id, closedAt: null }, data: { assigneeId } });
      expectOne(count);
      return r;
    });
  });
}

export async function changeRequestState(actor: Actor, id: string, to: OpenState, now = new Date()): Promise<UpdateResult> {
  return run(async () => {
    const current = await db().request.findUnique({ where: { id }, select: { state: true } });
    if (!current) throw new Refusal("This request does not exist.");
    if (!canTransition(current.state, to) || isClosedState(to)) {
      throw new Refusal(`A request cannot move from "${current.state}" to "${to}".`);
    }
    // The state change's entry first, then the clock's pause or resume: the timeline reads in order.
    await db().$transaction(async (tx) => {
      const { count } = await tx.request.updateMany({ where: { id, state: current.state, closedAt: null }, data: { state: to } });
      expectOne(count);
      await appendAccessLog(tx, logInput(actor, id, "request.state.change", { from: current.state, to }));
      await moveClock(tx, actor, id, current.state, to, now);
    });
  });
}

/**
 * Pauses the legal clock when a request enters identity_check or clarification, resumes it (the
 * deadlines move by the paused days) when it leaves them for an open state, and ends the pause
 * without moving anything when it closes. Each pause and resume is its own access-log entry.
 */
async function moveClock(tx: ConsoleTx, actor: Actor, id: string, from: string, to: string, now: Date): Promise<void> {
  const wasPaused = isPausingState(from);
  const pauses = isPausingState(to) && !isClosedState(to);
  if (wasPaused === pauses && !(wasPaused && from !== to)) return;
  const r = await tx.request.findUniqueOrThrow({ where: { id } });
  const open = await tx.requestClockPause.findFirst({ where: { requestId: id, resumedAt: null }, orderBy: { pausedAt: "desc" } });
  if (open && (!pauses || open.reason !== to)) {
    const closing = isClosedState(to);
    const moved = resumeDeadlines(r, open.pausedAt, now);
    const days = closing ? 0 : moved.days;
    await tx.requestClockPause.update({ where: { id: open.id }, data: { resumedAt: now, resumedById: actor.id ?? actor.label, days } });
    await tx.request.update({
      where: { id },
      data: closing
        ? { clockPausedAt: null }
        : { clockPausedAt: null, dueAt: moved.dueAt, extendedDueAt: moved.extendedDueAt, pausedDays: moved.pausedDays },
    });
    await appendAccessLog(tx, logInput(actor, id, "request.clock.resume", {
      reason: open.reason,
      pausedDays: days,
      dueAt: (closing ? r.dueAt : moved.dueAt).toISOString(),
      closed: closing,
    }));
  }
  if (pauses && (!open || open.reason !== to)) {
    await tx.requestClockPause.create({ data: { requestId: id, reason: to, pausedAt: now, pausedById: actor.id ?? actor.label } });
    await tx.request.update({ where: { id }, data: { clockPausedAt: now } });
    await appendAccessLog(tx, logInput(actor, id, "request.clock.pause", { reason: to }));
  }
}

export async function extendRequestDeadline(actor: Actor, id: string, reason: string, now = new Date()): Promise<UpdateResult> {
  return run(async () => {
    const r = await db().request.findUnique({ where: { id } });
    if (!r) throw new Refusal("This request does not exist.");
    const check = checkExtension(r, now);
    if (!check.ok) throw new Refusal(check.reason);
    // The reason lands in the immutable access log: refuse identifiers here too (CLI, tests).
    const found = identifierInText(reason);
    if (found) throw new Refusal(identifierInTextMessage(found, "reason (it goes into the access log)"));
    const details = { dueAt: r.dueAt.toISOString(), extendedDueAt: check.extendedDueAt.toISOString() };
    // The reason goes into the entry's purpose: who extended, when and why stay provable.
    await withAccessLog(logInput(actor, id, "request.extend", details, reason), async (tx) => {
      const { count } = await tx.request.updateMany({
        where: { id, closedAt: null, extendedDueAt: null },
        data: { extendedDueAt: check.extendedDueAt, extensionReason: reason },
      });
      expectOne(count);
    });
  });
}

export async function closeRequestRecord(
  actor: Actor,
  id: string,
  state: ClosedState,
  outcome: string,
  now = new Date(),
  refusalGround?: RefusalGround | string | null,
): Promise<UpdateResult> {
  return run(async () => {
    const current = await db().request.findUnique({ where: { id }, select: { state: true } });
    if (!current) throw new Refusal("This request does not exist.");
    if (!canTransition(current.state, state)) {
      throw new Refusal(`A request cannot be closed as "${state}" from "${current.state}".`);
    }
    // A refusal names its ground (Art. 12(5)/(6)); other closings have none.
    if (state === "rejected" && (!refusalGround || !isRefusalGround(refusalGround))) {
      throw new Refusal("Choose the ground for refusing the request (manifestly unfounded, excessive, identity not verified, other).");
    }
    const ground = state === "rejected" ? (refusalGround as RefusalGround) : null;
    // The outcome note may describe the person, so it stays on the request, not in the log.
    const details = { from: current.state, to: state, ...(ground ? { refusalGround: ground } : {}) };
    await db().$transaction(async (tx) => {
      const { count } = await tx.request.updateMany({
        where: { id, state: current.state, closedAt: null },
        data: { state, outcome, closedAt: now, refusalGround: ground },
      });
      expectOne(count);
      await appendAccessLog(tx, logInput(actor, id, "request.close", details));
      await moveClock(tx, actor, id, current.state, state, now);
    });
  });
}
