import { appendAccessLog, recordAccess } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { can, isRole } from "@/lib/authz";
import { db } from "@/lib/db";
import { LEASE_MS, runErasureJob, subjectIdsOf } from "@/lib/erasure/engine";
import { erasureRestricted } from "@/lib/rights/erasure-guard";
import type { ErasurePlan } from "@/lib/erasure/plan";
import { buildReceipt } from "@/lib/erasure/receipt";
import { closeNothingHeld, openJson } from "@/lib/erasure/workflow-support";

// Running an approved erasure (erasure.execute). The job is durable (ErasureJob + ErasureStep,
// recorded before each step acts, lib/erasure/engine.ts), so running it is always "run or resume":
// a paused job (database locked, missing, read-only) and a job left "running" by a process that
// died are finished by the same call. Long jobs run in the background; the page polls.

type Result = { ok: true; state: string; background: boolean } | { ok: false; code: "not_found" | "denied" | "conflict"; message: string };

/** Jobs running in THIS process (a second press, or the page's resume, must not start another runner). */
const running = new Map<string, Promise<void>>();
export const isRunningHere = (jobId: string) => running.has(jobId);

const RUNNABLE = ["approved", "paused", "running"];

async function finish(jobId: string, actor: Actor): Promise<void> {
  try {
    await runErasureJob(jobId, actor);
  } catch (e) {
    await pauseOnError(jobId, actor, e);
    throw e;
  } finally {
    running.delete(jobId);
  }
}

/**
 * An unexpected failure (not a locked/missing/read-only database, which the engine pauses itself)
 * would leave the job "running" until its lease lapses: pause it with a plain reason instead. The
 * step in flight stays "started"; resuming re-runs it (every op checks state first).
 */
async function pauseOnError(jobId: string, actor: Actor, e: unknown): Promise<void> {
  const code = String((e as { code?: unknown })?.code ?? (e as Error)?.name ?? "Error").slice(0, 60);
  await db().$transaction(async (tx) => {
    const job = await tx.erasureJob.findUnique({ where: { id: jobId }, select: { requestId: true } });
    const r = await tx.erasureJob.updateMany({
      where: { id: jobId, state: "running" },
      data: { state: "paused", pausedReason: `The run stopped on an unexpected error (${code}); nothing further was applied. Resume retries the step.` },
    });
    if (r.count === 1 && job) {
      await appendAccessLog(tx, { actor, action: "erasure.pause", target: { type: "request", ref: job.requestId }, requestId: job.requestId, outcome: "error", details: { jobId, error: code } });
    }
  }).catch(() => {});
}

/**
 * "Nothing held anywhere" (the approved plan has nothing to do): no identity database is touched;
 * the job ends "nothing_held" with its receipt saying so, and the request is closed as such.
 */
async function finishNothingHeld(job: { id: string; requestId: string; state: string }, actor: Actor, now = new Date()): Promise<void> {
  await markNothingHeld(job, actor, now);
  await closeNothingHeld(actor, job.requestId, now);
}

/** Ends an approved job whose plan holds nothing as "nothing_held", with its receipt (the request is left as it is). */
export async function markNothingHeld(job: { id: string; requestId: string }, actor: Actor, now = new Date()): Promise<void> {
  const n = await db().$transaction(async (tx) => {
    const r = await tx.erasureJob.updateMany({
      where: { id: job.id, state: { in: ["approved", "paused"] } },
      data: { state: "nothing_held", executedById: actor.id, completedAt: now, pausedReason: null },
    });
    if (r.count === 1) {
      await appendAccessLog(tx, { actor, action: "erasure.nothing_held", target: { type: "request", ref: job.requestId }, requestId: job.requestId, outcome: "ok", details: { jobId: job.id } });
    }
    return r.count;
  });
  if (n === 1) {
    const receipt = await buildReceipt(job.id);
    await db().erasureJob.update({ where: { id: job.id }, data: { receipt: JSON.stringify(receipt) } });
  }
}

function launch(jobId: string, actor: Actor): Promise<void> {
  const existing = running.get(jobId);
  if (existing) return existing;
  const p = finish(jobId, actor);
  running.set(jobId, p.catch(() => {}));
  return p;
}

/**
 * erasure.execute: approved jobs only (or a paused/interrupted one: resume). With
 * `background: true` the run is started and this returns at once; the job's state tells the rest.
 */
export async function executeErasure(
  input: { jobId: string; executor: Actor }, o: { background?: boolean } = {},
): Promise<Result> {
  const { executor } = input;
  const job = await db().erasureJob.findUnique({ where: { id: input.jobId }, select: { id: true, requestId: true, state: true, approvedById: true, planEnc: true, subjectEnc: true } });
  if (!job) return { ok: false, code: "not_found", message: "No such erasure." };
  const log = (outcome: "ok" | "denied" | "invalid", details: Record<string, unknown>) =>
    recordAccess({ actor: executor, action: "erasure.execute", target: { type: "request", ref: job.requestId }, requestId: job.requestId, outcome, details: { jobId: job.id, ...details } });
  if (!executor.id || !isRole(executor.role) || !can(executor.role, "erasure.execute")) {
    await log("denied", { reason: "role lacks erasure.execute" });
    return { ok: false, code: "denied", message: "Your role cannot run erasures." };
  }
  if (!RUNNABLE.includes(job.state) || !job.approvedById) {
    await log("invalid", { reason: `state ${job.state}` });
    return {
      ok: false, code: "conflict",
      message: job.state === "awaiting_approval"
        ? "This erasure has not been approved yet: a second person must approve it first."
        : `This erasure is ${job.state.replace(/_/g, " ")}; only an approved (or paused) erasure can run.`,
    };
  }
  if (isRunningHere(job.id)) return { ok: true, state: "running", background: true };
  const restricted = await erasureRestricted(subjectIdsOf(job));
  if (restricted) {
    await log("denied", { reason: "restricted" });
    return { ok: false, code: "denied", message: restricted };
  }
  await log("ok", { from: job.state, resume: job.state !== "approved" });
  if (job.planEnc && openJson<ErasurePlan>(job.planEnc).nothingHeld) {
    await finishNothingHeld(job, executor);
    const after = await db().erasureJob.findUniqueOrThrow({ where: { id: job.id }, select: { state: true } });
    return { ok: true, state: after.state, background: false };
  }
  const run = launch(job.id, executor);
  if (o.background) {
    run.catch(() => {}); // The failure is recorded on the job (paused + reason) by the engine.
    return { ok: true, state: "running", background: true };
  }
  await run;
  const after = await db().erasureJob.findUniqueOrThrow({ where: { id: job.id }, select: { state: true } });
  return { ok: true, state: after.state, background: false };
}

/**
 * Jobs left "running" by a process that stopped (crash, deploy): finished in the background under
 * the name of whoever executed them, once their lease (engine.ts LEASE_MS) has lapsed. Called a
 * minute after server start (lib/startup.ts); never throws (a missing or unmigrated console
 * database just means there is nothing to resume).
 */
export async function resumeStaleJobs(): Promise<string[]> {
  try {
    const jobs = await db().erasureJob.findMany({ where: { state: "running", updatedAt: { lt: new Date(Date.now() - LEASE_MS) } }, select: { id: true, requestId: true, executedById: true } });
    const resumed: string[] = [];
    for (const j of jobs) {
      if (isRunningHere(j.id) || !j.executedById) continue;
      const staff = await db().staff.findUnique({ where: { id: j.executedById }, select: { id: true, email: true, role: true, disabledAt: true } });
      if (!staff || staff.disabledAt || !isRole(staff.role) || !can(staff.role, "erasure.execute")) continue;
      const actor: Actor = { id: staff.id, label: staff.email, role: staff.role };
      await recordAccess({ actor, action: "erasure.execute", target: { type: "request", ref: j.requestId }, requestId: j.requestId, outcome: "ok", details: { jobId: j.id, resume: true, trigger: "startup" } });
      launch(j.id, actor).catch(() => {});
      resumed.push(j.id);
    }
    return resumed;
  } catch {
    return [];
  }
}

