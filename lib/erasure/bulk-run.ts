import { appendAccessLog } from "@/lib/audit/log";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { decryptSecret, encryptSecret } from "@/lib/keys";
import { listServers } from "@/lib/servers/queries";
import { maskIdentifier } from "@/lib/subjects/present-mask";
import { createRequestRecord } from "@/lib/requests/create-request";
import type { Finder } from "@/lib/exports/collect";
import { describeFinding, dryRunSubjects, type DryServer, type RowFinding } from "@/lib/erasure/bulk-dryrun";
import type { BulkSubject } from "@/lib/erasure/bulk-parse";
import type { ErasurePlan } from "@/lib/erasure/plan";
import { openJson } from "@/lib/erasure/workflow-support";
import { markNothingHeld } from "@/lib/erasure/workflow-execute";
import { verifyPage } from "@/lib/erasure/bulk-verify";
import type { PrecomputedVerify } from "@/lib/erasure/verify-step";
import { ReplicationBudget, replicationWaitFor, type WaitBudget } from "@/lib/erasure/ops-api";
import { sydentRaw } from "@/lib/sydent/open";
import { PersonLocks, personKeys } from "@/lib/erasure/person-locks";

// The two background runs of a bulk batch (bulk.ts), each at most once per batch in this process
// and both resumable from the rows' statuses after a restart:
// - the dry run, over rows still "pending", DRY_CHUNK rows at a time (read only on the identity
//   databases; each row's result commits with its own access-log entry under the row's pseudonym);
// - the execution, over rows not yet finished, one erasure job per row: the row's
//   subject is linked to the batch's request (RequestSubject), workflow.startErasure creates
//   the job (its full search and plan), the job is marked approved by the batch's approver (the
//   batch was approved as a whole) and linked to the batch, then the engine runs it. A job that
//   pauses (identity database locked, missing, read-only) pauses the batch (state "approved"
//   again, Execute resumes); a row's job is never created twice (row.jobId, and startErasure
//   returns the existing job for the same request and person). Rows run in pages of EXEC_PAGE:
//   each job's phase 1 runs up to its first wait for a peer (Sydent's unbinds on the origins),
//   then every job's waits for replication (one push cycle carries many jobs' tombstones), then
//   up to its verify steps, then the page is verified in one pass
//   (bulk-verify.ts: one scan per table for all its subjects, batched lookups through Sydent),
//   then each job finishes with its own results (its verify steps, receipt and first phase-2 pass).
//   Pages overlap by one: the next page's first pass runs while a page waits, verifies and
//   finishes, so that Sydent's 10-second pushes keep finding tombstones to carry. Up to EXEC_LANES
//   jobs run at once in a pass; jobs sharing a person never do (PersonLocks).

const KEY = "subject-identifier-v1" as const;
const DRY_CHUNK = 2000;
/**
 * Rows per page: phase 1 for the page's rows, then one verification pass for the page
 * (verifyPage). With pages overlapping, smaller pages keep Sydent's pushes busier and leave a
 * shorter tail after the last writes: against real Sydent (BENCHMARKS.md) 250 gave 10.7-10.8
 * subjects/s where 500 gave 9.4 (and 8.4 before the overlap). Pages of 1,000 (before the
 * overlap) were no faster than 500 and met Sydent error lines not yet explained.
 */
const EXEC_PAGE = 250;
/**
 * Jobs of a page in flight at once in its first and last passes. Each job mostly waits (Sydent's
 * answer to an unbind, its commits' fsyncs: the benchmark found Custodian 80 % idle running them
 * one by one), so a few at a time overlap the two Sydents and Custodian's own work. Jobs sharing a
 * person never run at once (PersonLocks); the console's SQLite connection takes one caller at a
 * time (db-sqlite-serial.ts).
 */
const EXEC_LANES = 4;
const DONE = new Set(["completed", "phase1_done", "phase2_pending"]);
const RUNNABLE = new Set(["approved", "running", "paused"]);

export type BulkProgress = {
  phase: "dry_run" | "execute"; done: number; total: number;
  /** After each execution page: its jobs and seconds per pass (writes through Sydent, waits for replication, verification, finishing). */
  page?: { jobs: number; writesS: number; replicationS: number; verifyS: number; finishS: number };
};
export type RunOptions = {
  servers?: DryServer[]; onProgress?: (p: BulkProgress) => void; find?: Finder; now?: Date;
  /** Rows per execution page (EXEC_PAGE); tests use a few, to run batches across page boundaries. */
  pageSize?: number;
};

const g = globalThis as unknown as { custodianBulkRuns?: Map<string, Promise<void>> };
const runs = (g.custodianBulkRuns ??= new Map());
export const isBulkRunning = (batchId: string, phase: "dry" | "exec") => runs.has(`${phase}:${batchId}`);

function once(key: string, fn: () => Promise<void>): Promise<void> {
  const existing = runs.get(key);
  if (existing) return existing;
  const p = fn().finally(() => runs.delete(key));
  runs.set(key, p.catch(() => {}));
  return p;
}

export const readRow = (inputEnc: string): { values: string[]; subject: BulkSubject | null } => JSON.parse(decryptSecret(inputEnc, KEY));

async function serversFor(o: RunOptions): Promise<DryServer[]> {
  return o.servers ?? (await listServers()).map((s) => ({ id: s.id, label: s.label, dbPath: s.dbPath }));
}

const LOG_CHUNK = 100;

/** A row's dry-run result for its access-log entry: totals over the servers, no identifier, no server name. */
function rowDetails(f: RowFinding): Record<string, number> {
  const totals: Record<string, number> = { bindings: 0, globalRows: 0, invites: 0, sessions: 0, accounts: 0 };
  for (const p of f.perServer) for (const [k, n] of Object.entries(p.counts ?? {})) totals[k] += n;
  return { ...totals, serversChecked: f.perServer.filter((p) => !p.error).length, serversNotChecked: f.perServer.filter((p) => p.error).length };
}

/**
 * Starts (or joins) the dry run of a batch. Each row is a lookup of one person on every server,
 * so each row's status update commits together with its own "erasure.bulk.dryrun.row" entry,
 * targeted at the row's pseudonym (in the uploader's name), with the outcome and counts.
 */
export function launchDryRun(batchId: string, o: RunOptions = {}): Promise<void> {
  return once(`dry:${batchId}`, async () => {
    const servers = await serversFor(o);
    const batch = await db().erasureBatch.findUniqueOrThrow({ where: { id: batchId }, select: { createdById: true, requestId: true } });
    const actor = await staffActor(batch.createdById);
    const total = await db().erasureBatchRow.count({ where: { batchId, status: { not: "rejected" } } });
    for (;;) {
      const rows = await db().erasureBatchRow.findMany({ where: { batchId, status: "pending" }, orderBy: { rowNo: "asc" }, take: DRY_CHUNK, select: { id: true, rowNo: true, inputEnc: true, pseudonym: true } });
      if (rows.length === 0) break;
      const subjects = rows.map((r) => readRow(r.inputEnc).subject!);
      const findings = await dryRunSubjects(subjects, servers);
      for (let i = 0; i < rows.length; i += LOG_CHUNK) {
        await db().$transaction(async (tx) => {
          for (let j = i; j < Math.min(i + LOG_CHUNK, rows.length); j++) {
            const [r, f, s] = [rows[j], findings[j], subjects[j]];
            const status = f.held || !f.perServer.every((p) => !p.error) ? "valid" : "nothing_held";
            const n = await tx.erasureBatchRow.updateMany({ where: { id: r.id, status: "pending" }, data: { status, error: describeFinding(f) } });
            if (n.count !== 1) continue; // another runner got there first (and logged it)
            await appendAccessLog(tx, {
              actor, action: "erasure.bulk.dryrun.row", target: { type: s.type, pseudonym: r.pseudonym ?? pseudonymFor(s.type, s.value) },
              requestId: batch.requestId, outcome: "ok", details: { batchId, rowNo: r.rowNo, result: status, ...rowDetails(f) },
            });
          }
        }, { timeout: 60_000 });
      }
      const left = await db().erasureBatchRow.count({ where: { batchId, status: "pending" } });
      o.onProgress?.({ phase: "dry_run", done: total - left, total });
    }
    await db().erasureBatch.updateMany({ where: { id: batchId, state: "dry_run" }, data: { state: "awaiting_approval" } });
  });
}

async function staffActor(id: string): Promise<Actor> {
  const s = await db().staff.findUniqueOrThrow({ where: { id }, select: { id: true, email: true, role: true } });
  return { id: s.id, label: s.email, role: s.role };
}

/** The batch's request; a batch uploaded without one gets its own erasure request at execution. */
async function requestFor(batchId: string, executor: Actor): Promise<string> {
  const b = await db().erasureBatch.findUniqueOrThrow({ where: { id: batchId } });
  if (b.requestId) return b.requestId;
  const created = await createRequestRecord(executor, {
    type: "erasure", requesterName: `Bulk erasure batch (${b.fileName})`.slice(0, 200), requesterContact: "internal: bulk erasure batch",
    channel: "other", identificationMethod: b.reason === "account_deactivated" ? "homeserver_signed" : "other",
    identificationNote: `Bulk batch ${b.id}`, receivedAt: b.createdAt, summary: `Bulk erasure of ${b.validRows} row(s), reason ${b.reason}. Batch ${b.id}.`,
  });
  await db().erasureBatch.updateMany({ where: { id: b.id, requestId: null }, data: { requestId: created.id } });
  return (await db().erasureBatch.findUniqueOrThrow({ where: { id: b.id }, select: { requestId: true } })).requestId!;
}

async function linkSubject(requestId: string, s: BulkSubject, addedById: string): Promise<string> {
  const pseudonym = pseudonymFor(s.type, s.value);
  const key = { requestId_pseudonym: { requestId, pseudonym } };
  const found = await db().requestSubject.findUnique({ where: key, select: { id: true } });
  if (found) return found.id;
  return (await db().requestSubject.upsert({
    where: key, update: {}, select: { id: true },
    create: { requestId, type: s.type, valueEnc: encryptSecret(s.value, KEY), pseudonym, masked: maskIdentifier(s.type, s.value), addedById },
  })).id;
}

type Row = { id: string; rowNo: number; inputEnc: string; jobId: string | null };
type Ctx = { batchId: string; requestId: string; reason: string; uploader: Actor; approvedById: string; approvedAt: Date; executor: Actor; o: RunOptions; locks: PersonLocks };
type EngineOpts = { deferVerify?: boolean; deferReplication?: boolean; verified?: PrecomputedVerify; api?: { replicationWaitMs?: WaitBudget } };

/**
 * One row: create (or find) its job, approve it under the batch's approval, run it. "pause" stops
 * the batch. With deferVerify the job stops before its verify steps ("deferred": the page verifies
 * all its jobs in one pass, verifyPage, then finishes them with the results).
 */
async function runRow(row: Row, ctx: Ctx, eo: EngineOpts = {}): Promise<"ok" | "pause" | { deferred: string }> {
  const setRow = (status: string, error: string | null, jobId?: string) => db().erasureBatchRow.update({ where: { id: row.id }, data: { status, error, ...(jobId ? { jobId } : {}) } });
  let jobId = row.jobId;
  if (!jobId) {
    const subject = readRow(row.inputEnc).subject!;
    const subjectId = await linkSubject(ctx.requestId, subject, ctx.uploader.id!);
    const { startErasure } = await import("@/lib/erasure/workflow");
    const started = await startErasure({ requestId: ctx.requestId, reason: ctx.reason as never, requestedBy: ctx.uploader, subjectIds: [subjectId] }, { now: ctx.o.now, find: ctx.o.find });
    if (!started.ok) return void (await setRow("failed", started.message)), "ok";
    jobId = started.jobId;
    await db().$transaction([
      db().erasureJob.updateMany({ where: { id: jobId, state: "awaiting_approval" }, data: { state: "approved", approvedById: ctx.approvedById, approvedAt: ctx.approvedAt, batchId: ctx.batchId, executedById: ctx.executor.id } }),
      db().erasureBatchRow.update({ where: { id: row.id }, data: { jobId } }),
    ]);
  }
  const before = await db().erasureJob.findUnique({ where: { id: jobId }, select: { state: true, requestId: true, planEnc: true, subjectEnc: true } });
  if (before && RUNNABLE.has(before.state) && before.planEnc && openJson<ErasurePlan>(before.planEnc).nothingHeld) {
    // Nothing held anywhere: no identity database is touched; the job ends "nothing_held".
    await markNothingHeld({ id: jobId, requestId: before.requestId }, ctx.executor);
  } else if (before && RUNNABLE.has(before.state)) {
    // Every person this job touches (its subject, and the others whose rows embed the subject) is
    // held while it runs: another job of the page sharing one waits, then reads Sydent afresh.
    const release = await ctx.locks.acquire(personKeys(openJson(before.subjectEnc), before.planEnc ? openJson<ErasurePlan>(before.planEnc) : null));
    try {
      const { runErasureJob } = await import("@/lib/erasure/engine");
      const r = await runErasureJob(jobId, ctx.executor, eo);
      if (r.deferred) return { deferred: jobId };
    } catch (e) {
      // The job stays resumable (durable steps): stop the batch here, Execute resumes it.
      await setRow("valid", `Stopped: ${(e as Error).message.slice(0, 200)}`, jobId);
      return "pause";
    } finally {
      release();
    }
  }
  const job = await db().erasureJob.findUnique({ where: { id: jobId }, select: { state: true, pausedReason: true } });
  const state = job?.state ?? "missing";
  if (state === "nothing_held") await setRow("nothing_held", "Nothing held anywhere (receipt on the job).", jobId);
  else if (DONE.has(state)) await setRow("done", `Erased (job ${state.replace(/_/g, " ")}).`, jobId);
  else if (state === "paused") {
    await setRow("valid", `Paused: ${(job?.pausedReason ?? "identity database unavailable").slice(0, 200)}`, jobId);
    return "pause";
  } else await setRow("failed", `The erasure job ended ${state.replace(/_/g, " ")}.`, jobId);
  return "ok";
}

/**
 * Replication's progress over the page's servers: the sum of every active peer's lastSentVersion
 * (Sydent raises it when a peer accepts a push). One tiny autocommit read per server; a server
 * whose file cannot be read adds nothing.
 */
function pushesAccepted(servers: DryServer[]): number {
  let sum = 0;
  for (const s of servers) {
    try {
      sum += (sydentRaw(s.dbPath).prepare("SELECT coalesce(sum(lastSentVersion), 0) AS v FROM peers WHERE active = 1").get() as { v: number }).v;
    } catch {
      // unreadable now: no progress seen from it
    }
  }
  return sum;
}

/** The largest number of local rows any active peer has yet to receive from one of the servers. */
function backlogRows(servers: DryServer[]): number {
  let most = 0;
  for (const s of servers) {
    try {
      const r = sydentRaw(s.dbPath).prepare("SELECT (SELECT coalesce(max(id), 0) FROM local_threepid_associations) - min(coalesce(lastSentVersion, 0)) AS n FROM peers WHERE active = 1").get() as { n: number | null };
      most = Math.max(most, r.n ?? 0);
    } catch {
      // unreadable now: its backlog is unknown
    }
  }
  return most;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> => p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));

/**
 * Runs fn over items with at most `lanes` in flight, starting them in order. fn returning true
 * stops further starts (those in flight finish). The first error stops further starts and is
 * thrown once every lane has stopped, so nothing is left running behind the caller's back.
 */
async function inLanes<T>(items: T[], lanes: number, fn: (x: T) => Promise<boolean>): Promise<void> {
  let next = 0;
  let stop = false;
  let error: unknown = null;
  const lane = async () => {
    while (!stop && next < items.length) {
      const x = items[next++];
      try {
        if (await fn(x)) stop = true;
      } catch (e) {
        error ??= e;
        stop = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, items.length)) }, lane));
  if (error) throw error;
}

/** Starts (or joins) the execution of an approved batch. */
export function launchExecution(batchId: string, executor: Actor, o: RunOptions = {}): Promise<void> {
  return once(`exec:${batchId}`, async () => {
    const batch = await db().erasureBatch.findUniqueOrThrow({ where: { id: batchId } });
    if (!batch.approvedById || !batch.approvedAt) throw new Error("The batch is not approved.");
    const ctx = { batchId, requestId: await requestFor(batchId, executor), reason: batch.reason, uploader: await staffActor(batch.createdById), approvedById: batch.approvedById, approvedAt: batch.approvedAt, executor, o, locks: new PersonLocks() };
    const todo = { batchId, OR: [{ status: "valid" }, { status: "nothing_held", jobId: null }] };
    const total = await db().erasureBatchRow.count({ where: { batchId, status: { not: "rejected" } } });
    const servers = await serversFor(o);
    const pageSize = o.pageSize ?? EXEC_PAGE;
    // Rows finished, counted here as each row ends (one count of the rows left at the start, not one
    // per row).
    let done = total - (await db().erasureBatchRow.count({ where: todo }));
    const progress = (page?: BulkProgress["page"]) => o.onProgress?.({ phase: "execute", done, total, ...(page ? { page } : {}) });
    let after = -1;

    // stopOnPause: in the first pass a pause stops the page (the next rows are not started); later
    // passes go on with the page's other jobs, each of which is independent.
    // lanes: jobs in flight at once (EXEC_LANES in the first pass; the replication pass goes one
    // job at a time, as its waits overlap anyway). Rows start in order; after a pause with
    // stopOnPause no further row starts and the ones in flight finish.
    const defer = async (list: Row[], eo: EngineOpts, stopOnPause: boolean, lanes: number, budget: ReplicationBudget | null) => {
      const out: { row: Row; jobId: string }[] = [];
      let paused = false;
      await inLanes(list, lanes, async (row) => {
        after = Math.max(after, row.rowNo);
        const wait = budget ? { api: { replicationWaitMs: budget.remainingMs } } : {};
        const r = await runRow(row, ctx, { ...eo, ...wait });
        if (r === "pause") {
          paused = true;
          return stopOnPause;
        }
        if (typeof r === "object") out.push({ row: { ...row, jobId: r.deferred }, jobId: r.deferred });
        else (done++, progress());
        return false;
      });
      return { deferred: out.sort((a, b) => a.row.rowNo - b.row.rowNo), paused };
    };

    // A page's first pass: each job's phase-1 writes (Sydent's unbinds on the origins), up to its
    // first wait for a peer.
    const firstPass = async (rows: Row[]) => {
      const startedAt = Date.now();
      return { ...(await defer(rows, { deferVerify: true, deferReplication: true }, true, EXEC_LANES, null)), startedAt, writtenAt: Date.now() };
    };
    // The rest of a page: the jobs' waits for replication together (one push cycle carries up to
    // 100 tombstones), verification of the whole page at once, then each job finishes with its own
    // results. True when a job paused.
    const rest = async (first: Awaited<ReturnType<typeof firstPass>>): Promise<boolean> => {
      let paused = first.paused;
      let deferred = first.deferred;
      // One replication budget for the page's waits (and for verification's polling), not 45 s per
      // job: it runs out only when the peers stop receiving (no push accepted on the page's servers
      // for REPLICATION_WAIT_MS), then each job's verification records what is still there and the
      // job pauses. A large backlog behind Sydent's 100-rows-per-10-s push is slow, not stopped.
      // First the expected wait for the page's rows; while pushes are accepted, up to three times
      // the wait for the largest backlog (the page's rows behind Sydent's own).
      const budget = new ReplicationBudget(replicationWaitFor(deferred.length), () => pushesAccepted(servers), { maxMs: 3 * replicationWaitFor(Math.max(deferred.length, backlogRows(servers))) });
      const clock = [first.startedAt, first.writtenAt, Date.now()];
      // The jobs already started finish even when a later row paused the batch (as before).
      if (deferred.length) {
        const r = await defer(deferred.map((d) => d.row), { deferVerify: true }, false, 1, budget);
        deferred = r.deferred;
        paused ||= r.paused;
      }
      clock.push(Date.now());
      const verified = deferred.length ? await verifyPage(deferred.map((d) => d.jobId)) : undefined;
      clock.push(Date.now());
      await inLanes(deferred, EXEC_LANES, async (d) => {
        if ((await runRow(d.row, ctx, { verified, api: { replicationWaitMs: budget.remainingMs } })) === "pause") paused = true;
        else done++;
        progress();
        return false;
      });
      clock.push(Date.now());
      const secs = (a: number, b: number) => (clock[b] - clock[a]) / 1000;
      // writesS: the first pass; replicationS: from its end (the next page's first pass may run
      // meanwhile) until every wait of the page has ended.
      progress({ jobs: deferred.length, writesS: secs(0, 1), replicationS: secs(1, 3), verifyS: secs(3, 4), finishS: secs(4, 5) });
      return paused;
    };

    // Pages overlap by one: page N+1's first pass runs while page N waits for replication,
    // verifies and finishes, so that Sydent's pushes (every 10 s) always have tombstones to carry.
    // Rows still start in order. After a pause no new page starts; the pages already started
    // finish, and Execute resumes from the rows not done.
    // Each page's rest is held settled (a failure is kept, not left unhandled, while the next page
    // is read and written).
    let tail: Promise<Settled<boolean>> = Promise.resolve({ ok: true, value: false });
    let paused = false;
    for (;;) {
      const rows: Row[] = paused ? [] : await db().erasureBatchRow.findMany({ where: { ...todo, rowNo: { gt: after } }, orderBy: { rowNo: "asc" }, take: pageSize, select: { id: true, rowNo: true, inputEnc: true, jobId: true } });
      if (rows.length === 0) break;
      const [before, first] = await Promise.all([tail, settle(firstPass(rows))]);
      if (!first.ok) throw first.error;
      if (!before.ok) {
        // The jobs this page started still finish before the failure is reported.
        await settle(rest(first.value));
        throw before.error;
      }
      paused = before.value || first.value.paused;
      tail = settle(rest(first.value));
    }
    const last = await tail;
    if (!last.ok) throw last.error;
    if (last.value || paused) return void (await db().erasureBatch.updateMany({ where: { id: batchId, state: "running" }, data: { state: "approved" } }));
    await db().erasureBatch.updateMany({ where: { id: batchId, state: "running" }, data: { state: "done" } });
  });
}
