import { withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { RETENTION_CLASSES, retentionPolicy, type RetentionClass, type RetentionPolicy } from "@/lib/logs/retention";
import { checkPolicyAgainstNotices, loadNotices, type RecordedNotice } from "@/lib/retention/notices";

// Retention policies, stored in the console database (RetentionPolicy), seeded from the privacy
// notice by the migration. Scope "default" applies to every source; a source's own rows
// ("sydent:<label>", "haproxy:haproxy") override it per class; stores use "store:<name>" with
// class "records". An admin proposes a change, a SECOND admin approves it. A log period is never
// longer than the limit of the recorded, approved privacy-notice version it follows (the one in
// force by default), nor than the version in force or an approved one still to come
// (notices.ts): a longer one needs a newer version of the notice, recorded and approved first.
// The check runs again at approval (the notice may have changed meanwhile).

export type PolicyRow = { id: string; scope: string; retentionClass: string; periodDays: number; noticeVersion: string; state: string; reason: string | null; proposedById: string | null; approvedById: string | null; createdAt: Date; approvedAt: Date | null };

export type PolicySet = {
  rows: PolicyRow[];
  /** The privacy-notice version in force (what audits and attestations name). */
  noticeVersion: string;
  notice: RecordedNotice | null;
  /** The versions the active policies follow. */
  policyNoticeVersions: string[];
  policyFor(scope: string): RetentionPolicy;
  storeDays(store: string): number | null;
};

/** The policies, and the privacy-notice version in force at `now` (an audit's "as of" time). */
export async function loadPolicies(now = new Date()): Promise<PolicySet> {
  const [rows, notices] = await Promise.all([
    db().retentionPolicy.findMany({ where: { state: { in: ["active", "proposed"] } }, orderBy: [{ scope: "asc" }, { retentionClass: "asc" }] }),
    loadNotices(now),
  ]);
  const active = rows.filter((r) => r.state === "active");
  const pick = (scope: string) => Object.fromEntries(active.filter((r) => r.scope === scope && (RETENTION_CLASSES as readonly string[]).includes(r.retentionClass)).map((r) => [r.retentionClass, r.periodDays])) as Partial<Record<RetentionClass, number>>;
  const defaults = pick("default");
  return {
    rows,
    noticeVersion: notices.inForce?.version ?? "none",
    notice: notices.inForce,
    policyNoticeVersions: [...new Set(active.map((r) => r.noticeVersion))].sort(),
    policyFor: (scope) => retentionPolicy({ ...defaults, ...pick(scope) }),
    storeDays: (store) => active.find((r) => r.scope === `store:${store}` && r.retentionClass === "records")?.periodDays ?? null,
  };
}

export type PolicyResult = { ok: true; id: string } | { ok: false; message: string };

const SCOPE = /^(default|sydent:[A-Za-z0-9_.-]{1,64}|haproxy:haproxy|store:[a-z_.]{1,64})$/;

export async function proposePolicy(actor: Actor, input: { scope: string; retentionClass: string; periodDays: number; reason: string; noticeVersion?: string }, now = new Date()): Promise<PolicyResult> {
  if (!SCOPE.test(input.scope)) return { ok: false, message: "The scope must be default, sydent:<server label>, haproxy:haproxy or store:<name>. Nothing was changed." };
  const isStore = input.scope.startsWith("store:");
  if (isStore ? input.retentionClass !== "records" : !(RETENTION_CLASSES as readonly string[]).includes(input.retentionClass)) {
    return { ok: false, message: `Class "${input.retentionClass}" does not apply to ${input.scope}. Nothing was changed.` };
  }
  if (!Number.isInteger(input.periodDays) || input.periodDays < 0 || input.periodDays > 3650) return { ok: false, message: "The period must be a whole number of days from 0 to 3650. Nothing was changed." };
  const notices = await loadNotices(now);
  let noticeVersion = notices.inForce?.version;
  if (!isStore) {
    const checked = checkPolicyAgainstNotices(notices, { retentionClass: input.retentionClass as RetentionClass, periodDays: input.periodDays, noticeVersion: input.noticeVersion });
    if (!checked.ok) return checked;
    noticeVersion = checked.notice.version;
  } else if (input.noticeVersion !== undefined && notices.byVersion(input.noticeVersion)?.state !== "approved") {
    return { ok: false, message: `Privacy-notice version "${input.noticeVersion}" is not recorded as approved. Nothing was changed.` };
  } else {
    noticeVersion = input.noticeVersion ?? noticeVersion;
  }
  if (!noticeVersion) return { ok: false, message: "No approved privacy-notice version is in force: record and approve one first. Nothing was changed." };
  if (!input.reason.trim()) return { ok: false, message: "Give a reason for the change. Nothing was changed." };
  const row = await withAccessLog(
    (r: { id: string }) => ({ actor, action: "retention.policy.propose", outcome: "ok", details: { policyId: r.id, scope: input.scope, retentionClass: input.retentionClass, periodDays: input.periodDays, noticeVersion } }),
    (tx) => tx.retentionPolicy.create({ data: { scope: input.scope, retentionClass: input.retentionClass, periodDays: input.periodDays, noticeVersion, state: "proposed", reason: input.reason.trim().slice(0, 500), proposedById: actor.id } }),
  );
  return { ok: true, id: row.id };
}

/** A fresh authenticator code for the approval (the console's form; the command line checks `--code` before). */
export type StepUp = () => Promise<{ ok: true } | { ok: false; message: string }>;

/** A second admin makes a proposed policy active; the previous one for the same scope and class is superseded. */

export async function approvePolicy(actor: Actor, id: string, now = new Date(), o: { stepUp?: StepUp } = {}): Promise<PolicyResult> {
  const p = await db().retentionPolicy.findUnique({ where: { id } });
  if (!p || p.state !== "proposed") return { ok: false, message: "No such proposed policy (already approved, cancelled or superseded)." };
  if (p.proposedById === actor.id) return { ok: false, message: "A policy change needs a second person: you proposed this one." };
  if ((RETENTION_CLASSES as readonly string[]).includes(p.retentionClass)) {
    // The notice may have changed since the proposal: its limits are checked again.
    const checked = checkPolicyAgainstNotices(await loadNotices(now), { retentionClass: p.retentionClass as RetentionClass, periodDays: p.periodDays, noticeVersion: p.noticeVersion });
    if (!checked.ok) return checked;
  }
  if (o.stepUp) {
    const code = await o.stepUp();
    if (!code.ok) return { ok: false, message: code.message };
  }
  await withAccessLog({ actor, action: "retention.policy.approve", outcome: "ok", details: { policyId: id, scope: p.scope, retentionClass: p.retentionClass, periodDays: p.periodDays, noticeVersion: p.noticeVersion } }, async (tx) => {
    const claimed = await tx.retentionPolicy.updateMany({ where: { id, state: "proposed" }, data: { state: "active", approvedById: actor.id, approvedAt: now } });
    if (claimed.count !== 1) throw new Error("The proposal changed meanwhile; nothing was changed.");
    await tx.retentionPolicy.updateMany({ where: { scope: p.scope, retentionClass: p.retentionClass, state: "active", id: { not: id } }, data: { state: "superseded" } });
  });
  return { ok: true, id };
}

export async function cancelPolicy(actor: Actor, id: string): Promise<PolicyResult> {
  const r = await withAccessLog({ actor, action: "retention.policy.cancel", outcome: "ok", details: { policyId: id } }, (tx) => tx.retentionPolicy.updateMany({ where: { id, state: "proposed" }, data: { state: "cancelled" } }));
  return r.count === 1 ? { ok: true, id } : { ok: false, message: "No such proposed policy." };
}
