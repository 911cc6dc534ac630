import { lockAccessLogHead } from "@/lib/audit/append";
import { appendAccessLog, recordAccess } from "@/lib/audit/log";
import type { Actor, Target } from "@/lib/audit/types";
import { db, type ConsoleTx } from "@/lib/db";
import { BlockFileError } from "@/lib/blocks/lists";
import { applyLists, desiredFromDb, haproxyTarget } from "@/lib/blocks/enforce";
import { protectedHomeservers, protectedSources } from "@/lib/blocks/protected";
import { checkNewBlock, expiryProblem, overlapsOf, reasonSchema, type RuleProblem } from "@/lib/blocks/rules";
import { HaproxySocketError } from "@/lib/blocks/runtime";
import type { BlockKind } from "@/lib/blocks/targets";

// Creating, approving, renewing, lifting and expiring blocks. Each change runs in one console
// transaction that also rebuilds HAProxy's lists and applies them live; if HAProxy or a file
// refuses, the transaction rolls back (no row, no entry of success) and a specific error returns.

export type BlockResult<T = { id: string; state: string }> =
  | ({ ok: true } & T)
  | { ok: false; code: string; message: string; problems?: RuleProblem[] };

export type AbuseBlockRow = Awaited<ReturnType<ReturnType<typeof db>["abuseBlock"]["findUniqueOrThrow"]>>;

export function blockTarget(b: { kind: string; value: string }): Target {
  return { type: b.kind as BlockKind, value: b.value } as Target;
}

const TX = { timeout: 120_000, maxWait: 30_000 };

/** Runs a change + HAProxy apply + access-log entry in one transaction; maps refusals to results. */
async function enforcedChange<T extends { id: string; state: string }>(
  actor: Actor,
  action: string,
  target: Target | undefined,
  /** The one list the changed block lives in: only it is rewritten and patched in HAProxy. */
  list: { kind: string; scope: string },
  change: (tx: ConsoleTx) => Promise<T & { details?: Record<string, unknown> }>,
): Promise<BlockResult<T>> {
  let hp;
  try {
    hp = haproxyTarget();
  } catch (e) {
    return failure(actor, action, target, e);
  }
  try {
    const r = await db().$transaction(async (tx) => {
      await lockAccessLogHead(tx);
      const result = await change(tx);
      const applied = await applyLists(hp, await desiredFromDb(tx, hp.dir, [list]));
      await appendAccessLog(tx, { actor, action, target, outcome: "ok", details: { blockId: result.id, state: result.state, ...result.details, haproxy: applied } });
      return result;
    }, TX);
    const { details: _d, ...rest } = r;
    return { ok: true, ...(rest as T) };
  } catch (e) {
    return failure(actor, action, target, e);
  }
}

async function failure(actor: Actor, action: string, target: Target | undefined, e: unknown): Promise<{ ok: false; code: string; message: string }> {
  if (e instanceof HaproxySocketError || e instanceof BlockFileError) {
    const code = e instanceof HaproxySocketError ? `haproxy-${e.code}` : "block-file";
    await recordAccess({ actor, action, target, outcome: "error", details: { code } });
    return { ok: false, code, message: `${e.message} Nothing was changed.` };
  }
  throw e;
}

export async function createBlock(actor: Actor, input: unknown, now = new Date()): Promise<BlockResult<{ id: string; state: string; overlaps: ReturnType<typeof overlapsOf> }>> {
  const existing = await db().abuseBlock.findMany({ where: { state: { in: ["active", "pending"] } }, select: { id: true, kind: true, value: true, scope: true, state: true } });
  const checked = checkNewBlock(input, { now, protectedSources: await protectedSources(), protectedHomeservers: protectedHomeservers(), existing });
  if (!checked.ok) {
    await recordAccess({ actor, action: "block.create", outcome: "invalid", details: { problems: checked.problems.map((p) => p.field) } });
    return { ok: false, code: "invalid", message: checked.problems.map((p) => p.message).join(" "), problems: checked.problems };
  }
  const b = checked.block;
  const overlaps = overlapsOf(b.kind, b.value, existing);
  const data = { kind: b.kind, value: b.value, scope: b.scope, reason: b.reason, broad: b.broad, createdById: actor.id ?? actor.label, startsAt: now, expiresAt: b.expiresAt };
  if (b.broad) {
    // Broad blocks wait for a second person; nothing reaches HAProxy yet.
    const row = await db().$transaction(async (tx) => {
      const created = await tx.abuseBlock.create({ data: { ...data, state: "pending" } });
      await appendAccessLog(tx, { actor, action: "block.request", target: blockTarget(b), outcome: "ok", details: { blockId: created.id, kind: b.kind, scope: b.scope, broad: true } });
      return created;
    });
    return { ok: true, id: row.id, state: "pending", overlaps };
  }
  return enforcedChange(actor, "block.create", blockTarget(b), b, async (tx) => {
    const row = await tx.abuseBlock.create({ data: { ...data, state: "active" } });
    return { id: row.id, state: "active", overlaps, details: { kind: b.kind, scope: b.scope, expiresAt: b.expiresAt.toISOString(), overlaps: overlaps.length } };
  });
}

/** A second person (not the creator) approves a broad block; it is applied at once. */
export async function approveBlock(actor: Actor, id: string, now = new Date()): Promise<BlockResult> {
  const b = await db().abuseBlock.findUnique({ where: { id } });
  if (!b || b.state !== "pending") return { ok: false, code: "not-found", message: "No block waiting for approval with that id." };
  if (b.createdById === (actor.id ?? actor.label)) {
    await recordAccess({ actor, action: "block.approve", target: blockTarget(b), outcome: "denied", details: { blockId: id, reason: "same-person" } });
    return { ok: false, code: "same-person", message: "A broad block needs a second person: its creator cannot approve it." };
  }
  if (b.expiresAt <= now) return { ok: false, code: "expired", message: "This block's expiry has passed; create a new one." };
  return enforcedChange(actor, "block.approve", blockTarget(b), b, async (tx) => {
    const n = await tx.abuseBlock.updateMany({ where: { id, state: "pending" }, data: { state: "active", approvedById: actor.id ?? actor.label, startsAt: now } });
    if (!n.count) throw new Error("block changed meanwhile");
    return { id, state: "active" };
  });
}

export async function liftBlock(actor: Actor, id: string, reason: unknown, now = new Date()): Promise<BlockResult> {
  const r = reasonSchema.safeParse(reason);
  if (!r.success) return { ok: false, code: "invalid", message: r.error.issues[0].message, problems: [{ field: "reason", message: r.error.issues[0].message }] };
  const b = await db().abuseBlock.findUnique({ where: { id } });
  if (!b || (b.state !== "active" && b.state !== "pending")) return { ok: false, code: "not-found", message: "No active or pending block with that id." };
  return enforcedChange(actor, "block.lift", blockTarget(b), b, async (tx) => {
    await tx.abuseBlock.update({ where: { id }, data: { state: "lifted", endedAt: now, endedById: actor.id ?? actor.label, endReason: r.data } });
    return { id, state: "lifted" };
  });
}

/** Renewal: a new reason (different from the current one) and a new expiry within 180 days. */
export async function renewBlock(actor: Actor, id: string, input: { reason: unknown; expiresAt: unknown }, now = new Date()): Promise<BlockResult> {
  const b = await db().abuseBlock.findUnique({ where: { id } });
  if (!b || b.state !== "active") return { ok: false, code: "not-found", message: "No active block with that id." };
  const r = reasonSchema.safeParse(input.reason);
  const problems: RuleProblem[] = [];
  if (!r.success) problems.push({ field: "reason", message: r.error.issues[0].message });
  else if (r.data === b.reason) problems.push({ field: "reason", message: "Renewing needs a new reason: say why the block is still needed." });
  const exp = new Date(String(input.expiresAt ?? ""));
  const ep = expiryProblem(exp, now) ?? (exp <= b.expiresAt ? "A renewal must end later than the block does now." : null);
  if (ep) problems.push({ field: "expiresAt", message: ep });
  if (problems.length) return { ok: false, code: "invalid", message: problems.map((p) => p.message).join(" "), problems };
  return enforcedChange(actor, "block.renew", blockTarget(b), b, async (tx) => {
    await tx.abuseBlockRenewal.create({ data: { blockId: id, reason: r.data!, renewedById: actor.id ?? actor.label, previousExpiresAt: b.expiresAt, expiresAt: exp } });
    await tx.abuseBlock.update({ where: { id }, data: { reason: r.data!, expiresAt: exp } });
    return { id, state: "active", details: { expiresAt: exp.toISOString() } };
  });
}

/** Ends every block whose expiry has passed (cron and start-up). One entry per expired block. */
export async function expireBlocks(actor: Actor, now = new Date()): Promise<BlockResult<{ id: string; state: string; expired: number }>> {
  const due = await db().abuseBlock.findMany({ where: { state: { in: ["active", "pending"] }, expiresAt: { lte: now } } });
  if (!due.length) return { ok: true, id: "", state: "none", expired: 0 };
  let hp;
  try {
    hp = haproxyTarget();
  } catch (e) {
    return failure(actor, "block.expire", undefined, e);
  }
  try {
    await db().$transaction(async (tx) => {
      await lockAccessLogHead(tx);
      await tx.abuseBlock.updateMany({ where: { id: { in: due.map((d) => d.id) } }, data: { state: "expired", endedAt: now, endReason: "expired" } });
      await applyLists(hp, await desiredFromDb(tx, hp.dir, [...new Map(due.map((d) => [`${d.kind}-${d.scope}`, d])).values()]));
      for (const b of due) await appendAccessLog(tx, { actor, action: "block.expire", target: blockTarget(b), outcome: "ok", details: { blockId: b.id, expiresAt: b.expiresAt.toISOString(), wasPending: b.state === "pending" } });
    }, TX);
  } catch (e) {
    return failure(actor, "block.expire", undefined, e);
  }
  return { ok: true, id: "", state: "expired", expired: due.length };
}
