import { appendAccessLog } from "@/lib/audit/log";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import type { Actor, Target } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { decryptSecret, encryptSecret } from "@/lib/keys";
import { IdentityDbUnavailable, type OpOptions } from "@/lib/erasure/ops-db";
import { stillBoundAtOrigin, type ApiOptions } from "@/lib/erasure/ops-api";
import { actStep, newMeter, type ActServer } from "@/lib/erasure/engine-act";
import { MAINTENANCE_KINDS, writePath } from "@/lib/erasure/write-path";
import { SydentApiError } from "@/lib/sydent/internal-api";
import { planSteps, type ErasurePlan, type StepKind } from "@/lib/erasure/plan";
import { heartbeat, LEASE_MS, priorOf } from "@/lib/erasure/engine-lease";
import { advancePhase2 } from "@/lib/erasure/phase2";
import type { SubjectIds, VerifyResult } from "@/lib/erasure/verify";
import type { PrecomputedVerify } from "@/lib/erasure/verify-step";
import { beingErasedCheck } from "@/lib/erasure/being-erased";
import { BystanderStop, rebindBystanders, ReplicationPending, type BystanderRow } from "@/lib/erasure/bystanders";

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
  /** Sydent internal API calls and replication waits (ops-api.ts). */
  api?: ApiOptions;
  phase2Days?: number;
  /** Verification results computed ahead for a whole bulk page (verify-step.ts verifyBatch). */
  verified?: PrecomputedVerify;
  /** Stop before the first verify step, leaving the job "approved" (bulk pages verify together). */
  deferVerify?: boolean;
  /**
   * Also stop before the first step that waits for a peer to receive the origin's tombstone: a
   * bulk page issues every job's unbinds first, so that one replication cycle (Sydent pushes up to
   * 100 rows every 10 s) carries many jobs' tombstones instead of one job waiting ~10 s at a time.
   */
  deferReplication?: boolean;
};
export type RunResult = { state: string; pausedReason?: string | null; stepsRun: number; busy?: boolean; deferred?: boolean };
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
  if (run.deferred) {
    // Phase-1 writes done; the bulk page verifies all its jobs at once, then runs this one again.
    await db().erasureJob.updateMany({ where: { id: jobId, state: "running" }, data: { state: "approved" } });
    return { state: "approved", stepsRun: run.stepsRun, deferred: true };
  }
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

/**
 * Runs every step not done, in seq order. Before acting, write-path.ts decides HOW the step may
 * touch its server (internal API, replication wait, direct SQL on a server proven stopped, read);
 * a step that must wait for a maintenance window is left "waiting" with what it waits for, and the
 * run goes on. Returns the pause reason when a step could not act.
 */
export async function runSteps(job: Job, actor: Actor, opts: RunOptions): Promise<{ stepsRun: number; paused?: string; waiting: number; deferred?: boolean }> {
  const steps = await db().erasureStep.findMany({ where: { jobId: job.id, state: { notIn: ["done", "skipped"] } }, orderBy: { seq: "asc" } });
  const ids = subjectIdsOf(job);
  let stepsRun = 0;
  let waiting = 0;
  const waitingOn = new Set<string>();
  // deferReplication (bulk pages' first pass): a step that would wait for replication is left
  // pending and the job goes on with its next steps, so every write that needs no wait (the
  // subject's unbinds, the bystanders' unbinds, the chosen unbinds of other people's rows) is
  // issued in the first pass and one push cycle carries them all; the job stops before verifying.
  // Steps never consume an earlier replication step's result; only verification does.
  let deferredAny = false;
  // Waits for replication (and verification's polling) stop as soon as the subject is found still
  // bound at an origin after the unbinds were issued: no push can remove that (ops-api.ts). The
  // registered servers are read only when a wait first asks, not on every run of the steps.
  let registered: Promise<{ label: string; dbPath: string }[]> | null = null;
  const api = { ...(opts.api ?? {}), hopeless: async () => stillBoundAtOrigin(await (registered ??= db().identityServer.findMany({ select: { label: true, dbPath: true } })), ids) };
  // Each server read once per run of the steps (a job has several steps per server).
  const servers = new Map<string, ReturnType<typeof findServer>>();
  const findServer = (id: string) => db().identityServer.findUnique({ where: { id } }).then((x) => x);
  for (const step of steps) {
    if ((opts.deferVerify || deferredAny) && step.kind === "verify") return { stepsRun, waiting, deferred: true };
    const serverId = step.serverId;
    if (serverId && !servers.has(serverId)) servers.set(serverId, findServer(serverId));
    const server = serverId
      ? await servers.get(serverId)!
      : step.kind === "scrubLogs" ? { id: "", label: "logs", dbPath: "", serverName: "", sydentMode: "stopped", clientApiUrl: null, internalApiUrl: null, sydentTokenEnc: null } : null;
    if (!server) return { stepsRun, waiting, paused: (await pause(job, actor, "A server of this erasure is no longer registered.", stepsRun)).pausedReason! };
    const kind = step.kind as StepKind;
    const target = openTarget<Record<string, unknown>>(step.targetEnc);
    // A verification planned after maintenance steps waits with them.
    const path = kind === "verify" && target.afterMaintenance && waitingOn.has(server.id)
      ? { path: "wait" as const, waitingFor: `the maintenance steps on ${server.label} before it` }
      : await writePath(kind, server);
    if (path.path === "pause") return { stepsRun, waiting, paused: (await pause(job, actor, path.reason, stepsRun)).pausedReason! };
    if (opts.deferReplication && path.path === "replication") {
      deferredAny = true;
      continue;
    }
    if (path.path === "wait") {
      waiting++;
      waitingOn.add(server.id);
      if (step.state !== "waiting" || step.waitingFor !== path.waitingFor) {
        await db().erasureStep.update({ where: { id: step.id }, data: { state: "waiting", waitingFor: path.waitingFor } });
      }
      continue;
    }
    await db().$transaction([
      db().erasureStep.update({ where: { id: step.id }, data: { state: "started", waitingFor: null, attempts: { increment: 1 }, startedAt: nowOf(opts) } }),
      // Lease heartbeat (phase 2 reuses this loop, so the state is left as it is).
      db().erasureJob.update({ where: { id: job.id }, data: { updatedAt: new Date() } }),
    ]);
    crashPoint(opts, step.seq, 0);
    let result: Record<string, unknown>;
    const lease = heartbeat(job.id, opts);
    const meter = newMeter();
    const counted = () => ({ lockWaits: { increment: meter.lockWaits }, lockWaitMs: { increment: Math.round(meter.lockWaitMs) }, retries: { increment: meter.retries } });
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
      const deferMaintenance = kind === "verify" && (await db().erasureStep.count({ where: { jobId: job.id, serverId: server.id, kind: { in: MAINTENANCE_KINDS }, state: { notIn: ["done", "skipped"] } } })) > 0;
      result = kind === "rebindBystanders"
        ? await rebindBystanders(server.dbPath, { label: server.label, serverName: server.serverName, internalApiUrl: server.internalApiUrl }, target as { rows: BystanderRow[] }, { ...opts.op, ...hooks, nowMs: nowOf(opts).getTime(), replicationWaitMs: opts.api?.replicationWaitMs, deferWait: opts.deferReplication, beingErased: beingErasedCheck(job.id) })
        : await actStep(kind, server as ActServer, path, target, ids, { op: { ...opts.op, ...hooks }, api, nowMs: nowOf(opts).getTime(), deferMaintenance, meter, jobId: job.id, precomputed: opts.verified });
    } catch (e) {
      if (e instanceof ReplicationPending) {
        // Bulk pages: the unbinds are issued; the wait for the peers is shared with the page's other jobs.
        await db().erasureStep.update({ where: { id: step.id }, data: { state: "pending", ...counted() } });
        deferredAny = true;
        continue;
      }
      if (!(e instanceof IdentityDbUnavailable) && !(e instanceof SydentApiError) && !(e instanceof BystanderStop)) throw e;
      await db().erasureStep.update({ where: { id: step.id }, data: { state: "pending", ...counted() } });
      const what = e instanceof SydentApiError ? `Sydent's internal API: ${e.message} Nothing beyond what Sydent confirmed was applied` : e.message;
      const why = e instanceof BystanderStop ? e.message : `${server.label}: ${what}. The job resumes where it stopped when run again.`;
      const r = await pause(job, actor, why, stepsRun);
      return { stepsRun, waiting, paused: r.pausedReason! };
    } finally {
      lease.stop();
    }
    crashPoint(opts, step.seq, 1);
    const failed = kind === "verify" && !(result as VerifyResult).ok;
    await db().$transaction(async (tx) => {
      // The step's lock waits and retries are counted with its result.
      await tx.erasureStep.update({ where: { id: step.id }, data: { state: failed ? "failed" : "done", doneAt: nowOf(opts), result: JSON.stringify(result), ...counted() } });
      await appendAccessLog(tx, entry(job, actor, "erasure.step", failed ? "error" : "ok", { seq: step.seq, kind: step.kind, server: server.label, serverId: server.id, rows: result, lockWaits: meter.lockWaits, retries: meter.retries }));
      // Bystanders (issue 8): what happened to each other person's row, under THEIR pseudonym.
      if (step.kind === "rebindBystanders") {
        const own = (server as { serverName?: string }).serverName;
        const erased = new Set((result as { erasedRows?: number[] }).erasedRows ?? []);
        for (const [i, r] of openTarget<{ rows: BystanderRow[] }>(step.targetEnc).rows.entries()) {
          const action = erased.has(i) ? "left_unbound_own_erasure" : r.originServer === own ? "reissued_by_sydent" : "peer_copy_removed_by_replication";
          await appendAccessLog(tx, {
            actor, action: "erasure.bystander", target: { type: r.medium, value: r.address }, requestId: job.requestId, outcome: "ok",
            details: { jobId: job.id, server: server.label, originServer: r.originServer, action, keptBound: !erased.has(i) },
          });
        }
      }
    });
    stepsRun++;
    crashPoint(opts, step.seq, 2);
    if (failed) {
      const v = result as VerifyResult;
      const left = Object.entries(v.leftovers).map(([k, n]) => `${k} ${n}`).join(", ");
      const sydent = v.sydent && !v.sydent.ok ? ` Sydent's own lookups failed verification (${v.sydent.problems.join("; ")}).` : "";
      const held = left || !sydent ? ` found data still held (${left || "lookups still answer"});` : "";
      const r = await pause(job, actor, `Verification on ${server.label}${held}${sydent} Review and run again.`, stepsRun);
      return { stepsRun, waiting, paused: r.pausedReason! };
    }
  }
  return deferredAny ? { stepsRun, waiting, deferred: true } : { stepsRun, waiting };
}
