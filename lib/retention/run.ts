import path from "node:path";
import { recordAccess, withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { loadCheckpointKey } from "@/lib/audit/checkpoint-key";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { RETENTION_CLASSES } from "@/lib/logs/retention";
import { listServers } from "@/lib/servers/queries";
import { createAttestation } from "@/lib/retention/attestation";
import { auditLogSources, type SourceAudit } from "@/lib/retention/audit-sources";
import { executePlan, guardPlan, planEnforcement, type ActionResult, type EnforcementPlan } from "@/lib/retention/enforce";
import { attestedNotice } from "@/lib/retention/notices";
import { loadPolicies, type StepUp } from "@/lib/retention/policies";
import { auditStores, type StoreAudit } from "@/lib/retention/stores";

// The retention workflows: audit (every source and store, one signed attestation), dry run,
// enforcement (first one of a source approved by a second person, later ones direct: cron),
// each followed by a re-audit and an attestation. Files and counts only: no line is ever output.

export type AuditReport = { at: string; noticeVersion: string; notice: ReturnType<typeof attestedNotice>; sources: SourceAudit[]; stores: StoreAudit[]; overdue: boolean; findings: number };

async function servers(label?: string) {
  const all = await listServers();
  return label ? all.filter((s) => s.label === label) : all;
}

export async function auditAll(o: { now: Date; server?: string; hash?: boolean; stores?: boolean }): Promise<AuditReport> {
  const policies = await loadPolicies(o.now);
  const list = await servers(o.server);
  const sources = await auditLogSources(list, { now: o.now, policyFor: policies.policyFor, hash: o.hash });
  const stores = o.stores === false ? [] : await auditStores(list, policies.storeDays, o.now);
  const findings = sources.reduce((n, s) => n + s.findings.length, 0) + stores.filter((s) => s.finding === "overdue" || s.finding === "no-policy" || s.finding === "unreadable").length;
  return { at: o.now.toISOString(), noticeVersion: policies.noticeVersion, notice: attestedNotice(policies.notice), sources, stores, findings, overdue: sources.some((s) => s.overdue) || stores.some((s) => s.finding === "overdue") };
}

/** What an attestation says about an audit: per source and class the oldest line, the findings. */
export function attestedAudit(r: AuditReport) {
  return {
    sources: r.sources.map((s) => ({
      source: s.key,
      policyDays: s.policy.periodDays,
      classes: Object.fromEntries(RETENTION_CLASSES.filter((c) => s.classes[c]).map((c) => [c, { oldestAt: s.classes[c]!.oldestAt, lines: s.classes[c]!.lines, overdueLines: s.classes[c]!.overdueLines, periodDays: s.classes[c]!.periodDays, ageDays: s.classes[c]!.ageDays }])),
      files: s.files.map((f) => ({ file: f.path, verdict: f.verdict, rotated: f.rotated, gzip: f.gzip, lines: f.lines, overdueLines: f.overdueLines, oldestLineAt: f.oldestLineAt, newestLineAt: f.newestLineAt, mtime: f.mtime, mustBeGoneBy: f.mustBeGoneBy, firstLineDueAt: f.firstLineDueAt, overdueDays: f.overdueDays, sha256: f.sha256,
        classes: Object.fromEntries(RETENTION_CLASSES.filter((c) => f.classes[c]).map((c) => [c, { lines: f.classes[c]!.lines, overdueLines: f.classes[c]!.overdueLines }])) })),
      findings: s.findings.map((x) => ({ kind: x.kind, file: x.file, overdueDays: x.overdueDays ?? null, detail: x.detail })),
    })),
    stores: r.stores.map((s) => ({ store: s.store, where: s.where, records: s.records, oldestAt: s.oldestAt, policyDays: s.policyDays, finding: s.finding, overdueDays: s.overdueDays })),
  };
}

export async function auditAndAttest(actor: Actor, o: { now: Date; server?: string }) {
  const report = await auditAll(o);
  const att = await createAttestation(actor, { kind: "audit", noticeVersion: report.noticeVersion, notice: report.notice, overdue: report.overdue, findings: report.findings, audit: attestedAudit(report) }, o.now);
  return { report, attestationId: att.id };
}

export async function sourceAudit(key: string, now: Date): Promise<SourceAudit | null> {
  const r = await auditAll({ now, hash: true, stores: false });
  return r.sources.find((s) => s.key === key) ?? null;
}

export async function dryRun(key: string, now: Date): Promise<{ source: SourceAudit; plan: EnforcementPlan } | null> {
  const source = await sourceAudit(key, now);
  return source ? { source, plan: guardPlan(planEnforcement(source, now)) } : null;
}

export async function hasBeenEnforced(key: string): Promise<boolean> {
  return (await db().retentionEnforcement.count({ where: { sourceKey: key, state: "done" } })) > 0;
}

export type EnforceOutcome =
  | { status: "awaiting_approval"; enforcementId: string; plan: EnforcementPlan }
  | { status: "done"; enforcementId: string; actions: ActionResult[]; attestationId: string; overdueAfter: boolean }
  | { status: "nothing-to-do"; plan: EnforcementPlan }
  | { status: "failed"; enforcementId: string; message: string }
  | { status: "refused"; message: string };

/** States in which an enforcement holds its source: at most one per source (a unique index on the states). */
const ACTIVE = ["awaiting_approval", "running"];

async function activeEnforcement(key: string) {
  return db().retentionEnforcement.findFirst({ where: { sourceKey: key, state: { in: ACTIVE } }, orderBy: { createdAt: "desc" } });
}

function busyMessage(key: string, row: { id: string; state: string; createdAt: Date }): string {
  return row.state === "awaiting_approval"
    ? `An enforcement of ${key} already awaits approval (${row.id}).`
    : `An enforcement of ${key} is already running (${row.id}, started ${row.createdAt.toISOString().slice(0, 19)}Z): only one runs per source at a time. Nothing was done. (If the process running it died, record it as failed with retention:enforce --abandon ${row.id} --reason "...".)`;
}

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002" || /unique constraint/i.test(String((e as Error)?.message));

/** Runs an enforcement that holds its source ("running"); whatever goes wrong, the row ends failed with the error (and can be asked for again). */
async function carryOut(enforcementId: string, actor: Actor, plan: EnforcementPlan, now: Date): Promise<EnforceOutcome> {
  try {
    return await carryOutUnchecked(enforcementId, actor, plan, now);
  } catch (e) {
    const message = (e as Error)?.message ?? String(e);
    await db().retentionEnforcement.update({ where: { id: enforcementId }, data: { state: "failed", executedAt: now, result: JSON.stringify({ error: message }) } });
    await recordAccess({ actor, action: "retention.enforce", outcome: "error", details: { enforcementId, source: plan.sourceKey, error: message.slice(0, 500) } });
    return { status: "failed", enforcementId, message: `The enforcement of ${plan.sourceKey} failed: ${message}. It is recorded as failed; ask for it again.` };
  }
}

async function carryOutUnchecked(enforcementId: string, actor: Actor, plan: EnforcementPlan, now: Date): Promise<EnforceOutcome> {
  // The evidence must be signable before anything is deleted (throws when the key is unusable).
  loadCheckpointKey(env().checkpointKeyFile);
  const source = await sourceAudit(plan.sourceKey, now);
  if (!source) throw new Error(`no source ${plan.sourceKey} any more`);
  // Lines are judged as of the dry run (what was approved). Under a policy changed since, a
  // rewrite's line count differs from the plan and the file is left alone (a new dry run is needed).
  const row = await db().retentionEnforcement.findUniqueOrThrow({ where: { id: enforcementId }, select: { requestedById: true, approvedById: true, approvedAt: true, createdAt: true } });
  const requester = await db().staff.findUnique({ where: { id: row.requestedById }, select: { email: true, role: true } });
  const actions = await executePlan(plan, source.source, source.policy);
  const after = await sourceAudit(plan.sourceKey, now);
  const policies = await loadPolicies(now);
  const att = await createAttestation(actor, {
    kind: "enforcement", noticeVersion: policies.noticeVersion, notice: attestedNotice(policies.notice), source: plan.sourceKey, policyDays: source.policy.periodDays,
    enforcementId,
    // Who asked (the dry run it carries out) and, for a source's first enforcement, who approved it.
    requestedBy: { label: requester?.email ?? row.requestedById, role: requester?.role ?? null, at: row.createdAt.toISOString() },
    approvedBy: row.approvedById ? { label: actor.label, role: actor.role, at: row.approvedAt?.toISOString() ?? null } : null,
    overdue: after?.overdue ?? false, findings: after?.findings.length ?? 0,
    actions: actions.map((a) => ({ file: a.file, name: path.basename(a.file), action: a.action, status: a.status, linesRemoved: a.linesRemoved, linesKept: a.linesKept, sha256Before: a.sha256Before, sha256After: a.sha256After, problem: a.problem ?? null })),
    skipped: plan.skipped,
    reaudit: after ? attestedAudit({ at: now.toISOString(), noticeVersion: policies.noticeVersion, notice: attestedNotice(policies.notice), sources: [after], stores: [], overdue: after.overdue, findings: after.findings.length }).sources[0] : null,
  }, now);
  const failed = actions.some((a) => a.status === "skipped");
  await db().retentionEnforcement.update({
    where: { id: enforcementId },
    data: { state: failed ? "failed" : "done", executedAt: now, attestationId: att.id, result: JSON.stringify({ actions: actions.map((a) => ({ file: a.file, status: a.status, sha256After: a.sha256After, problem: a.problem ?? null })) }) },
  });
  return { status: "done", enforcementId, actions, attestationId: att.id, overdueAfter: after?.overdue ?? false };
}

/**
 * Dry run, then: first enforcement of a source waits for a second person; later ones run (cron).
 * The source is claimed first (a "running" row; the database allows one active enforcement per
 * source), so two runs of the same source at once cannot both act: the second is refused.
 */
export async function requestEnforcement(actor: Actor, key: string, now: Date): Promise<EnforceOutcome> {
  const busy = await activeEnforcement(key);
  if (busy) return { status: "refused", message: busyMessage(key, busy) };
  let row;
  try {
    row = await db().retentionEnforcement.create({ data: { sourceKey: key, state: "running", plan: "null", requestedById: actor.id ?? actor.label } });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const other = await activeEnforcement(key);
    return { status: "refused", message: other ? busyMessage(key, other) : `Another enforcement of ${key} started at the same moment. Nothing was done.` };
  }
  let d: Awaited<ReturnType<typeof dryRun>>;
  try {
    d = await dryRun(key, now);
  } catch (e) {
    await db().retentionEnforcement.delete({ where: { id: row.id } });
    throw e;
  }
  if (!d || d.plan.items.length === 0) {
    // Nothing was asked of anyone: the claim is released without a trace of its own.
    await db().retentionEnforcement.delete({ where: { id: row.id } });
    return d ? { status: "nothing-to-do", plan: d.plan } : { status: "refused", message: `No log source "${key}" (sources are sydent:<server label> and haproxy:haproxy).` };
  }
  const first = !(await hasBeenEnforced(key));
  await db().retentionEnforcement.update({ where: { id: row.id }, data: { state: first ? "awaiting_approval" : "running", plan: JSON.stringify(d.plan) } });
  await recordAccess({ actor, action: "retention.enforce.request", outcome: "ok", details: { enforcementId: row.id, source: key, firstEnforcement: first, deletes: d.plan.items.filter((i) => i.action === "delete").length, rewrites: d.plan.items.filter((i) => i.action === "rewrite").length } });
  if (first) return { status: "awaiting_approval", enforcementId: row.id, plan: d.plan };
  return carryOut(row.id, actor, d.plan, now);
}

/** A second person approves the first enforcement of a source; it runs at once with the approved plan. */
export async function approveEnforcement(actor: Actor, id: string, now: Date, o: { stepUp?: StepUp } = {}): Promise<EnforceOutcome> {
  const row = await db().retentionEnforcement.findUnique({ where: { id } });
  if (!row || row.state !== "awaiting_approval") return { status: "refused", message: "No enforcement awaiting approval with that id." };
  if (row.requestedById === actor.id) return { status: "refused", message: "The first enforcement of a source needs a second person: you asked for this one." };
  if (o.stepUp) {
    const code = await o.stepUp();
    if (!code.ok) return { status: "refused", message: code.message };
  }
  const claimed = await withAccessLog({ actor, action: "retention.enforce.approve", outcome: "ok", details: { enforcementId: id, source: row.sourceKey } }, (tx) =>
    tx.retentionEnforcement.updateMany({ where: { id, state: "awaiting_approval" }, data: { state: "running", approvedById: actor.id, approvedAt: now } }),
  );
  if (claimed.count !== 1) return { status: "refused", message: "Someone else approved or cancelled it meanwhile." };
  return carryOut(id, actor, JSON.parse(row.plan) as EnforcementPlan, now);
}

/** Records a "running" enforcement whose process died as failed (so the source can be enforced again). */
export async function abandonEnforcement(actor: Actor, id: string, reason: string): Promise<{ ok: true } | { ok: false; message: string }> {
  const why = reason.trim();
  if (!why) return { ok: false, message: "Give a reason (--reason): why is the running enforcement abandoned?" };
  const row = await db().retentionEnforcement.findUnique({ where: { id } });
  if (!row || row.state !== "running") return { ok: false, message: "No running enforcement with that id. Nothing was changed." };
  const r = await withAccessLog({ actor, action: "retention.enforce.abandon", outcome: "ok", details: { enforcementId: id, source: row.sourceKey, reason: why.slice(0, 500) } }, (tx) =>
    tx.retentionEnforcement.updateMany({ where: { id, state: "running" }, data: { state: "failed", result: JSON.stringify({ error: `abandoned by ${actor.label}: ${why.slice(0, 500)}` }) } }),
  );
  return r.count === 1 ? { ok: true } : { ok: false, message: "It finished meanwhile. Nothing was changed." };
}
