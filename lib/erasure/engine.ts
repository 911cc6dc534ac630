import { appendAccessLog } from "@/lib/audit/log";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import type { Actor, Target } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { decryptSecret, encryptSecret } from "@/lib/keys";
import * as ops from "@/lib/erasure/ops";
import { IdentityDbUnavailable, type OpOptions } from "@/lib/erasure/ops-db";
import { planSteps, type ErasurePlan, type StepKind } from "@/lib/erasure/plan";
import { heartbeat, LEASE_MS, priorOf } from "@/lib/erasure/engine-lease";
import { advancePhase2 } from "@/lib/erasure/phase2";
import { scrubLogs } from "@/lib/erasure/phase2-scrub";
import { verifyServer, type SubjectIds, type VerifyResult } from "@/lib/erasure/verify";
import { BystanderStop, rebindBystanders, type BystanderRow } from "@/lib/erasure/bystanders";

// The durable erasure job (issue 4, "crash-safe and idempotent"). API:
//   runErasureJob(jobId, actor, opts?) -> RunResult   run / resume phase 1 (+ a first phase-2 pass)
//   runSteps(job, actor, opts)                         used by phase2.ts for its prune steps
//   sealTarget / openTarget / subjectTarget            step target encryption, access-log target
// The job must be approved | running (stale lease) | paused (phase2_pending: one phase-2 pass). Steps are materialised once from the
// approved plan (ErasureJob.planEnc) into ErasureStep rows; each step is marked "started"
// (attempts+1) in the console DB BEFORE it acts, acts through an idempotent op, then is marked
// "done" together with its "erasure.step" access-log entry in one console transaction. A crash
// anywhere re-runs at most the started step, whose op checks state first. An identity database
// that is locked/missing/read-only pauses the job (step back to pending); running again resumes.
// Lease: the conditional update approved|paused|stale-running -> running, refreshed by every step
// (updatedAt) and during a long step (engine-lease.ts), so two runners never run one job. Before an
// op writes, the row ids it located are recorded on its step (result {prior}); a re-run after a
// crash gets them back and reports their effect as "already" done, so the receipt stays right.
// Test hook: crashAt / CUSTODIAN_TEST_CRASH_AT = k
// exits the process (137) at boundary k = 3*(seq-1) + {0 before act, 1 after act, 2 after done}.

const KEY = "subject-identifier-v1" as const;
export { LEASE_MS } from "@/lib/erasure/engine-lease";

export type RunOptions = {
  crashAt?: number;
  now?: () => Date;
  /** A running job whose last heartbeat is older than this is taken over (default 60 s). */
  leaseMs?: number;
  /** How often a running step refreshes the lease (default LEASE_MS / 4); also between write chunks. */
  heartbeatMs?: number;
  /** Test hook: called after each lease refresh. */
  onHeartbeat?: () => void;
  op?: OpOptions;
  phase2Days?: number;
};
export type RunResult = { state: string; pausedReason?: string | null; stepsRun: number; busy?: boolean };
type Job = NonNullable<Awaited<ReturnType<ReturnType<typeof db>["erasureJob"]["findUnique"]>>>;

export const sealTarget = (t: unknown) => encryptSecret(JSON.stringify(t), KEY);
export const openTarget = <T>(s: string): T => JSON.parse(decryptSecret(s, KEY)) as T;
export const subjectIdsOf = (job: Pick<Job, "subjectEnc">): SubjectIds => ({ emails: [], msisdns: [], mxids: [], sids: [], ...openTarget<Partial<SubjectIds>>(job.subjectEnc) });

/** The subject as an access-log target whose pseudonym is the job's subjectPseudonym. */
export function subjectTarget(job: Pick<Job, "subjectEnc" | "subjectPseudonym">): Target {
  const ids = subjectIdsOf(job);
  const all: Target[] = [
    ...ids.emails.map((value) => ({ type: "email" as const, value })),
    ...ids.msisdns.map((value) => ({ type: "msisdn" as const, value })),
    ...ids.mxids.map((value) => ({ type: "mxid" as const, value })),
  ];
  return all.find((t) => "value" in t && pseudonymFor(t.type as "email", t.value) === job.subjectPseudonym) ?? all[0] ?? { type: "request", ref: "unknown" };
}

function crashPoint(opts: RunOptions, seq: number, b: 0 | 1 | 2): void {
  const at = opts.crashAt ?? (process.env.CUSTODIAN_TEST_CRASH_AT ? Number(process.env.CUSTODIAN_TEST_CRASH_AT) : undefined);
  if (at !== undefined && at === 3 * (seq - 1) + b) process.exit(137);
}

const nowOf = (opts: RunOptions) => opts.now?.() ?? new Date();
const entry = (job: Job, actor: Actor, action: string, outcome: "ok" | "error", details: Record<string, unknown>) =>
  ({ actor, action, target: subjectTarget(job), requestId: job.requestId, outcome, details: { jobId: job.id, ...details } }) as const;

export async function runErasureJob(jobId: string, actor: Actor, opts: RunOptions = {}): Promise<RunResult> {
  const job = await db().erasureJob.findUnique({ where: { id: jobId } });
  if (!job) throw new Error("No such erasure job.");
  if (job.state === "phase2_pending") {
    // Resuming a job interrupted in phase 2 (or just re-checking it): one phase-2 pass.
    const p2 = await advancePhase2(jobId, actor, opts);
    return { state: p2.state, stepsRun: p2.stepsRun };
  }
  if (!["approved", "running", "paused"].includes(job.state)) return { state: job.state, pausedReason: job.pausedReason, stepsRun: 0 };
  const claimed = await db().erasureJob.updateMany({
    where: { id: jobId, OR: [{ state: { in: ["approved", "paused"] } }, { state: "running", updatedAt: { lt: new Date(Date.now() - (opts.leaseMs ?? LEASE_MS)) } }] },
    data: { state: "running", pausedReason: null, executedById: actor.id ?? job.executedById },
  });
  if (claimed.count !== 1) return { state: job.state, pausedReason: job.pausedReason, stepsRun: 0, busy: true };
  const fresh = await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } });
  if (!(await materialise(fresh, actor))) return pause(fresh, actor, "The job has no approved plan; preview and approve it again.", 0);
  const run = await runSteps(fresh, actor, opts);
  if (run.paused) return { state: "paused", pausedReason: run.paused, stepsRun: run.stepsRun };
  const now = nowOf(opts);
  const days = Math.min(30, opts.phase2Days ?? env().CUSTODIAN_ERASURE_PHASE2_DAYS);
  const phase1DoneAt = fresh.phase1DoneAt ?? now;
  await db().$transaction(async (tx) => {
    await tx.erasureJob.update({ where: { id: jobId }, data: { state: "phase2_pending", phase1DoneAt, phase2DueAt: new Date(phase1DoneAt.getTime() + days * 86_400_000) } });
    await appendAccessLog(tx, entry(fresh, actor, "erasure.phase1.done", "ok", { steps: run.stepsRun }));
  });
  const p2 = await advancePhase2(jobId, actor, { ...opts, now: () => now });
  return { state: p2.state, stepsRun: run.stepsRun + p2.stepsRun };
}

/** Creates the ErasureStep rows once (idempotent under the lease and UNIQUE(jobId, seq)). */
async function materialise(job: Job, actor: Actor): Promise<boolean> {
  if ((await db().erasureStep.count({ where: { jobId: job.id } })) > 0) return true;
  if (!job.planEnc) return false;
  const specs = planSteps(openTarget<ErasurePlan>(job.planEnc));
  await db().$transaction(async (tx) => {
    if ((await tx.erasureStep.count({ where: { jobId: job.id } })) > 0) return;
    await tx.erasureStep.createMany({ data: specs.map((s, i) => ({ jobId: job.id, seq: i + 1, serverId: s.serverId, kind: s.kind, targetEnc: sealTarget(s.target), state: "pending" })) });
    await appendAccessLog(tx, entry(job, actor, "erasure.execute", "ok", { steps: specs.length }));
  });
  return true;
}

async function pause(job: Job, actor: Actor, reason: string, stepsRun: number): Promise<RunResult> {
  await db().$transaction(async (tx) => {
    await tx.erasureJob.update({ where: { id: job.id }, data: { state: "paused", pausedReason: reason } });
    await appendAccessLog(tx, entry(job, actor, "erasure.pause", "error", { reason }));
  });
  return { state: "paused", pausedReason: reason, stepsRun };
}

/** Runs every step not done, in seq order. Returns the pause reason when one could not act. */
export async function runSteps(job: Job, actor: Actor, opts: RunOptions): Promise<{ stepsRun: number; paused?: string }> {
  const steps = await db().erasureStep.findMany({ where: { jobId: job.id, state: { notIn: ["done", "skipped"] } }, orderBy: { seq: "asc" } });
  const ids = subjectIdsOf(job);
  let stepsRun = 0;
  for (const step of steps) {
    const server = step.serverId ? await db().identityServer.findUnique({ where: { id: step.serverId } }) : step.kind === "scrubLogs" ? { id: "", label: "logs", dbPath: "" } : null;
    if (!server) return { stepsRun, paused: (await pause(job, actor, "A server of this erasure is no longer registered.", stepsRun)).pausedReason! };
    await db().$transaction([
      db().erasureStep.update({ where: { id: step.id }, data: { state: "started", attempts: { increment: 1 }, startedAt: nowOf(opts) } }),
      // Lease heartbeat (phase 2 reuses this loop, so the state is left as it is).
      db().erasureJob.update({ where: { id: job.id }, data: { updatedAt: new Date() } }),
    ]);
    crashPoint(opts, step.seq, 0);
    let result: Record<string, unknown>;
    const lease = heartbeat(job.id, opts);
    try {
      const hooks: OpOptions = {
        // Row ids an interrupted earlier attempt recorded (below): its effect is reported as "already".
        prior: priorOf(step.result),
        // Recorded in the console DB before the op writes anything.
        onLocated: async (prior) => {
          await db().erasureStep.update({ where: { id: step.id }, data: { result: JSON.stringify({ prior }) } });
          await lease.beat(true);
        },
        onTransaction: async (info) => {
          await opts.op?.onTransaction?.(info);
          await lease.beat();
        },
      };
      result = step.kind === "rebindBystanders"
        ? await rebindBystanders(server.dbPath, { label: server.label, serverName: (server as { serverName?: string }).serverName ?? "", internalApiUrl: (server as { internalApiUrl?: string | null }).internalApiUrl ?? null }, openTarget(step.targetEnc), { ...opts.op, ...hooks, nowMs: opts.op?.nowMs })
        : await act(step.kind as StepKind, server.dbPath, openTarget(step.targetEnc), ids, { ...opts, op: { ...opts.op, ...hooks } });
    } catch (e) {
      if (!(e instanceof IdentityDbUnavailable) && !(e instanceof BystanderStop)) throw e;
      await db().erasureStep.update({ where: { id: step.id }, data: { state: "pending" } });
      const why = e instanceof BystanderStop ? e.message : `${server.label}: ${e.message}. The job resumes where it stopped when run again.`;
      const r = await pause(job, actor, why, stepsRun);
      return { stepsRun, paused: r.pausedReason! };
    } finally {
      lease.stop();
    }
    crashPoint(opts, step.seq, 1);
    const failed = step.kind === "verify" && !(result as VerifyResult).ok;
    await db().$transaction(async (tx) => {
      await tx.erasureStep.update({ where: { id: step.id }, data: { state: failed ? "failed" : "done", doneAt: nowOf(opts), result: JSON.stringify(result) } });
      await appendAccessLog(tx, entry(job, actor, "erasure.step", failed ? "error" : "ok", { seq: step.seq, kind: step.kind, server: server.label, serverId: server.id, rows: result }));
      // Bystanders (issue 8): what happened to each other person's row, under THEIR pseudonym.
      if (step.kind === "rebindBystanders") {
        const own = (server as { serverName?: string }).serverName;
        for (const r of openTarget<{ rows: BystanderRow[] }>(step.targetEnc).rows) {
          await appendAccessLog(tx, {
            actor, action: "erasure.bystander", target: { type: r.medium, value: r.address }, requestId: job.requestId, outcome: "ok",
            details: { jobId: job.id, server: server.label, originServer: r.originServer, action: r.originServer === own ? "reissued_by_sydent" : "peer_copy_deleted", keptBound: true },
          });
        }
      }
    });
    stepsRun++;
    crashPoint(opts, step.seq, 2);
    if (failed) {
      const left = Object.entries((result as VerifyResult).leftovers).map(([k, n]) => `${k} ${n}`).join(", ");
      const r = await pause(job, actor, `Verification on ${server.label} found data still held (${left || "lookups still answer"}); review and run again.`, stepsRun);
      return { stepsRun, paused: r.pausedReason! };
    }
  }
  return { stepsRun };
}

type T3 = ops.ThreepidTarget;
async function act(kind: StepKind, file: string, t: Record<string, unknown>, ids: SubjectIds, opts: RunOptions): Promise<Record<string, unknown>> {
  const o: OpOptions = { ...opts.op, nowMs: nowOf(opts).getTime() };
  switch (kind) {
    case "tombstoneAndDeleteGlobal": return ops.tombstoneAndDeleteGlobal(file, t as unknown as T3, o);
    case "deleteGlobal": return ops.deleteGlobal(file, t as unknown as T3, o);
    case "deleteEmbeddingRows": return ops.deleteEmbeddingRows(file, t as unknown as Parameters<typeof ops.deleteEmbeddingRows>[1], o);
    case "deleteSessions": return ops.deleteSessions(file, t as unknown as Parameters<typeof ops.deleteSessions>[1], o);
    case "deleteInvitesTo": return ops.deleteInvitesTo(file, t as unknown as T3, o);
    case "deleteInvitesFrom": return ops.deleteInvitesFrom(file, t as { mxid: string }, o);
    case "deleteAccount": return ops.deleteAccount(file, t as { mxid: string }, o);
    case "pruneTombstone": return ops.pruneTombstone(file, t as unknown as Parameters<typeof ops.pruneTombstone>[1], o);
    case "verify": return verifyServer(file, ids, { nowMs: o.nowMs });
    case "scrubLogs": return scrubLogs(t as { files: string[] }, ids);
    case "rebindBystanders": throw new Error("rebindBystanders runs through lib/erasure/bystanders.ts (runSteps)");
  }
}
