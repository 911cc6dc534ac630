import { withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { can, isRole } from "@/lib/authz";
import { db, type ConsoleTx } from "@/lib/db";
import { identifierInText, identifierInTextMessage } from "@/lib/free-text";
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

export async function changeRequestState(actor: Actor, id: string, to: OpenState): Promise<UpdateResult> {
  return run(async () => {
    const current = await db().request.findUnique({ where: { id }, select: { state: true } });
    if (!current) throw new Refusal("This request does not exist.");
    if (!canTransition(current.state, to) || isClosedState(to)) {
      throw new Refusal(`A request cannot move from "${current.state}" to "${to}".`);
    }
    await withAccessLog(logInput(actor, id, "request.state.change", { from: current.state, to }), async (tx) => {
      const { count } = await tx.request.updateMany({ where: { id, state: current.state, closedAt: null }, data: { state: to } });
      expectOne(count);
    });
  });
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
): Promise<UpdateResult> {
  return run(async () => {
    const current = await db().request.findUnique({ where: { id }, select: { state: true } });
    if (!current) throw new Refusal("This request does not exist.");
    if (!canTransition(current.state, state)) {
      throw new Refusal(`A request cannot be closed as "${state}" from "${current.state}".`);
    }
    // The outcome note may describe the person, so it stays on the request, not in the log.
    await withAccessLog(logInput(actor, id, "request.close", { from: current.state, to: state }), async (tx) => {
      const { count } = await tx.request.updateMany({
        where: { id, state: current.state, closedAt: null },
        data: { state, outcome, closedAt: now },
      });
      expectOne(count);
    });
  });
}
