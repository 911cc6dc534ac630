import { appendAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { openTarget, runSteps, sealTarget, subjectTarget, subjectIdsOf, type RunOptions } from "@/lib/erasure/engine";
import type { ErasurePlan } from "@/lib/erasure/plan";
import { buildReceipt } from "@/lib/erasure/receipt";
import { scrubTarget } from "@/lib/erasure/phase2-scrub";
import { closeWhenErasuresDone, ERASED_OUTCOME } from "@/lib/erasure/workflow-support";
import { threepidsOf, type SubjectIds } from "@/lib/erasure/verify";
import { sydentRaw } from "@/lib/sydent/open";
import { checkFile } from "@/lib/sydent/errors";

// Phase 2 (within 30 days, never longer). API:
//   runPhase2(now, actor?) -> per job {jobId, state, pending}      cron / CLI: every phase2_pending job
//   advancePhase2(jobId, actor, opts) -> {state, stepsRun, pending} one job (the engine calls it after phase 1)
//   erasureAlarms(now) -> jobs at day >= due-5 (day 25 of 30) or overdue, for the dashboard
// Tombstones of the subject's 3PIDs are pruned (as recorded "pruneTombstone" steps, so crash-safe)
// once every ACTIVE peer's lastSentVersion >= the tombstone id; a peer behind (down) keeps it
// pending and is named. Log copies: CUSTODIAN_ERASURE_LOGS=expire records the date the last copy
// disappears (does not block completion); =scrub adds a "scrubLogs" step (phase2-scrub.ts), retried on
// each pass until it reports scrubbed (no file problem, no line left). Nothing owed -> "completed",
// the "erasure.complete" entry, the receipt stored on the job.

export const SYSTEM_ACTOR: Actor = { id: null, label: "system:erasure-phase2", role: "system", ip: null, userAgent: null };
export type Pending =
  | { kind: "tombstone"; server: string; tombstoneId: number; behind: string[] }
  | { kind: "server"; server: string; problem: string }
  | { kind: "logs"; problem: string }
  | { kind: "maintenance"; server: string; steps: number; waitingFor: string }

  /** Issue 8: a bystander's re-issued association not yet delivered to every active peer (or missing). */
  | { kind: "bystander"; server: string; localId: number | null; behind: string[]; unbound?: boolean };
export type Phase2Result = { state: string; stepsRun: number; pending: Pending[] };

type Tomb = { id: number; medium: "email" | "msisdn"; address: string };

function tombstonesOn(file: string, ids: SubjectIds, plan: ErasurePlan | null): Tomb[] {
  const d = sydentRaw(file);
  const spell = new Map<string, Set<string>>();
  for (const t of threepidsOf(ids)) spell.set(`${t.medium}:${t.address}`, new Set([t.address]));
  for (const s of plan?.servers ?? []) for (const t of [...s.tombstones, ...s.globalDeletes]) t.spellings.forEach((x) => spell.get(`${t.medium}:${t.address}`)?.add(x));
  const stmt = d.prepare("SELECT id, medium, address FROM local_threepid_associations WHERE medium = ? AND address = ? AND mxid IS NULL");
  const out: Tomb[] = [];
  for (const [k, set] of spell) for (const a of set) out.push(...(stmt.all(k.slice(0, k.indexOf(":")), a) as Tomb[]));
  return out;
}

async function scanTombstones(ids: SubjectIds, plan: ErasurePlan | null) {
  const pending: Pending[] = [];
  const deliverable: { serverId: string; label: string; t: Tomb }[] = [];
  // The job's own servers (those of its plan); without a plan, every enabled server.
  const planServers = plan?.servers.map((s) => s.server.id);
  for (const server of await db().identityServer.findMany({ where: planServers ? { id: { in: planServers } } : { disabledAt: null }, orderBy: { label: "asc" } })) {
    const problem = checkFile(server.dbPath);
    if (problem) {
      pending.push({ kind: "server", server: server.label, problem: problem.message.replace(server.dbPath, "the database file") });
      continue;
    }
    const peers = sydentRaw(server.dbPath).prepare("SELECT name, lastSentVersion AS v FROM peers WHERE active = 1").all() as { name: string; v: number | null }[];
    const behindOf = (id: number) => peers.filter((p) => p.v === null || p.v < id).map((p) => p.name);
    // Bystanders whose origin is this server, one entry per person. Kept bound: their fresh
    // association must reach every active peer. Unbound by an approved choice: the tombstone Sydent
    // wrote must (it removes the peers' copies embedding the subject); it stays, holding only that
    // person's own address, as Sydent keeps tombstones.
    const fresh = sydentRaw(server.dbPath).prepare("SELECT id FROM local_threepid_associations WHERE medium = ? AND address = ? AND mxid = ?");
    const tomb = sydentRaw(server.dbPath).prepare("SELECT id FROM local_threepid_associations WHERE medium = ? AND address = ? AND mxid IS NULL");
    const origin = (plan?.servers ?? []).flatMap((s) => s.embedding).filter((e) => e.originServer === server.serverName);
    for (const e of new Map(origin.map((e) => [`${e.action}:${e.medium}:${e.address}`, e])).values()) {
      const kept = e.action === "rebind";
      const row = (kept ? fresh.get(e.medium, e.address, e.mxid) : tomb.get(e.medium, e.address)) as { id: number } | undefined;
      const behind = row ? behindOf(row.id) : [];
      if (kept ? !row || behind.length : behind.length) pending.push({ kind: "bystander", server: server.label, localId: row?.id ?? null, behind, ...(kept ? {} : { unbound: true }) });
    }
    for (const t of tombstonesOn(server.dbPath, ids, plan)) {
      const behind = behindOf(t.id);
      if (behind.length) pending.push({ kind: "tombstone", server: server.label, tombstoneId: t.id, behind });
      else deliverable.push({ serverId: server.id, label: server.label, t });
    }
  }
  return { pending, deliverable };
}

export async function advancePhase2(jobId: string, actor: Actor = SYSTEM_ACTOR, opts: RunOptions = {}): Promise<Phase2Result> {
  const job = await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } });
  if (job.state !== "phase2_pending") return { state: job.state, stepsRun: 0, pending: [] };
  const ids = subjectIdsOf(job);
  const plan = job.planEnc ? openTarget<ErasurePlan>(job.planEnc) : null;
  const existing = await db().erasureStep.findMany({ where: { jobId }, select: { kind: true, serverId: true, targetEnc: true, state: true, result: true } });
  // A prune step that found a peer behind is retried by a new step later (one whose tombstone an
  // earlier attempt already removed counts as pruned: its "already").
  const retry = (r: string | null) => {
    const x = r ? (JSON.parse(r) as { pruned?: number; already?: { pruned?: number } }) : null;
    return !!x && x.pruned === 0 && !x.already?.pruned;
  };
  const known = new Set(existing.filter((s) => s.kind === "pruneTombstone" && !retry(s.result)).map((s) => `${s.serverId}:${openTarget<Tomb>(s.targetEnc).id}`));
  const first = await scanTombstones(ids, plan);
  const toAdd: { kind: string; serverId: string | null; target: unknown }[] = first.deliverable.filter((d) => !known.has(`${d.serverId}:${d.t.id}`)).map((d) => ({ kind: "pruneTombstone", serverId: d.serverId, target: d.t }));
  const mode = env().CUSTODIAN_ERASURE_LOGS;
  if (mode === "scrub" && plan?.logs?.files.length) {
    // First try, or a retry when the last try left lines or had a problem (scrubbed: false).
    const tries = await db().erasureStep.findMany({ where: { jobId, kind: "scrubLogs" }, orderBy: { seq: "desc" }, select: { state: true, result: true, startedAt: true } });
    const last = tries[0];
    const failed = !!last && last.state === "done" && (JSON.parse(last.result ?? "{}") as { scrubbed?: boolean }).scrubbed !== true;
    if (!last || failed) toAdd.push({ kind: "scrubLogs", serverId: null, target: await scrubTarget(plan, failed ? last.startedAt : null) });
  }
  // Maintenance steps waiting for a window (live servers) get one verification after them, so the
  // stores they delete are checked once they ran (engine.ts makes it wait with them).
  const all = await db().erasureStep.findMany({ where: { jobId }, select: { kind: true, serverId: true, seq: true, state: true, targetEnc: true } });
  for (const serverId of new Set(all.filter((x) => x.state === "waiting" && x.kind !== "verify").map((x) => x.serverId))) {
    const lastWaiting = Math.max(...all.filter((x) => x.serverId === serverId && x.state === "waiting" && x.kind !== "verify").map((x) => x.seq));
    const after = all.some((x) => x.serverId === serverId && x.kind === "verify" && x.seq > lastWaiting && openTarget<{ afterMaintenance?: boolean }>(x.targetEnc).afterMaintenance);
    if (!after && !toAdd.some((x) => x.kind === "verify" && x.serverId === serverId)) toAdd.push({ kind: "verify", serverId, target: { afterMaintenance: true } });
  }
  // New prune steps go before that verification only if added in the same pass; later ones get their own.
  toAdd.sort((a, b) => Number(a.kind === "verify") - Number(b.kind === "verify"));
  if (toAdd.length) {
    await db().$transaction(async (tx) => {
      const max = (await tx.erasureStep.aggregate({ where: { jobId }, _max: { seq: true } }))._max.seq ?? 0;
      await tx.erasureStep.createMany({ data: toAdd.map((s, i) => ({ jobId, seq: max + i + 1, serverId: s.serverId, kind: s.kind, targetEnc: sealTarget(s.target), state: "pending" })) });
    });
  }
  const run = await runSteps(job, actor, opts);
  const after = await scanTombstones(ids, plan);
  const pending: Pending[] = [...after.pending, ...after.deliverable.map((d) => ({ kind: "tombstone" as const, server: d.label, tombstoneId: d.t.id, behind: [] }))];
  if (run.paused) {
    // A phase-2 step could not act: the job stays in phase 2, the reason is reported.
    await db().erasureJob.update({ where: { id: jobId }, data: { state: "phase2_pending" } });
    pending.push({ kind: "server", server: "", problem: run.paused });
  }
  const waitingSteps = await db().erasureStep.findMany({ where: { jobId, state: "waiting" }, select: { serverId: true, waitingFor: true } });
  const servers = new Map((await db().identityServer.findMany({ where: { id: { in: waitingSteps.map((w) => w.serverId ?? "") } }, select: { id: true, label: true } })).map((x) => [x.id, x.label]));
  for (const [serverId, n] of countBy(waitingSteps.map((w) => w.serverId ?? ""))) {
    pending.push({ kind: "maintenance", server: servers.get(serverId) ?? "logs", steps: n, waitingFor: waitingSteps.find((w) => (w.serverId ?? "") === serverId)?.waitingFor ?? "" });
  }
  const scrub = await db().erasureStep.findFirst({ where: { jobId, kind: "scrubLogs" }, orderBy: { seq: "desc" } });
  const sr = scrub?.result ? (JSON.parse(scrub.result) as { scrubbed?: boolean; problem?: string }) : null;
  if (scrub && (!sr || sr.scrubbed === false)) pending.push({ kind: "logs", problem: sr?.problem ?? "log scrubbing has not run" });
  if (pending.length) return { state: "phase2_pending", stepsRun: run.stepsRun, pending };
  const now = opts.now?.() ?? new Date();
  await db().$transaction(async (tx) => {
    await tx.erasureJob.update({ where: { id: jobId }, data: { state: "completed", completedAt: now } });
    await appendAccessLog(tx, { actor, action: "erasure.complete", target: subjectTarget(job), requestId: job.requestId, outcome: "ok", details: { jobId, logMode: mode } });
  });
  const receipt = await buildReceipt(jobId);
  await db().erasureJob.update({ where: { id: jobId }, data: { receipt: JSON.stringify(receipt) } });
  // The request stays open until phase 2 is complete; now it is (unless another erasure on it is not).
  await closeWhenErasuresDone(actor, job.requestId, ERASED_OUTCOME, now);
  return { state: "completed", stepsRun: run.stepsRun, pending: [] };
}

function countBy(xs: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

export async function runPhase2(now: Date = new Date(), actor: Actor = SYSTEM_ACTOR, opts: RunOptions = {}) {
  const jobs = await db().erasureJob.findMany({ where: { state: "phase2_pending" }, select: { id: true }, orderBy: { phase1DoneAt: "asc" } });
  const out: ({ jobId: string } & Phase2Result)[] = [];
  for (const j of jobs) out.push({ jobId: j.id, ...(await advancePhase2(j.id, actor, { ...opts, now: () => now })) });
  return out;
}

export type ErasureAlarm = { jobId: string; requestId: string; subjectMasked: string; state: string; dueAt: string; day: number; overdue: boolean };

/** Erasures at or past day (due - 5) — day 25 of 30 — and not completed. */
export async function erasureAlarms(now: Date = new Date()): Promise<ErasureAlarm[]> {
  const jobs = await db().erasureJob.findMany({ where: { state: { in: ["approved", "running", "paused", "phase2_pending"] }, OR: [{ phase2DueAt: { not: null } }, { approvedAt: { not: null } }] } });
  const out: ErasureAlarm[] = [];
  for (const j of jobs) {
    const start = j.phase1DoneAt ?? j.approvedAt!;
    const due = j.phase2DueAt ?? new Date(start.getTime() + 30 * 86_400_000);
    if (now.getTime() < due.getTime() - 5 * 86_400_000) continue;
    out.push({ jobId: j.id, requestId: j.requestId, subjectMasked: j.subjectMasked, state: j.state, dueAt: due.toISOString(), day: Math.floor((now.getTime() - start.getTime()) / 86_400_000), overdue: now >= due });
  }
  return out.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}
