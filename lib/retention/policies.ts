import { withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { RETENTION_CLASSES, retentionPolicy, type RetentionClass, type RetentionPolicy } from "@/lib/logs/retention";

// Retention policies, stored in the console database (RetentionPolicy), seeded from the privacy
// notice by the migration. Scope "default" applies to every source; a source's own rows
// ("sydent:<label>", "haproxy:haproxy") override it per class; stores use "store:<name>" with
// class "records". An admin proposes a change, a SECOND admin approves it; a log period is never
// longer than the notice version's limit (a longer one needs a new notice version in NOTICES).

export type NoticeVersion = { version: string; limits: Record<RetentionClass, number>; sections: Record<RetentionClass, string> };

/** Versions of shared/seed/privacy-notice.md and their retention promises. Newest last. */
export const NOTICES: readonly NoticeVersion[] = [
  {
    version: "1.1.0",
    limits: { lookup: 7, haproxy: 60, application: 60, connection: 180 },
    sections: { lookup: "3.2.2", haproxy: "3.2.2", application: "3.9", connection: "3.2.2" },
  },
];
export const CURRENT_NOTICE = NOTICES[NOTICES.length - 1];

export type PolicyRow = { id: string; scope: string; retentionClass: string; periodDays: number; noticeVersion: string; state: string; reason: string | null; proposedById: string | null; approvedById: string | null; createdAt: Date; approvedAt: Date | null };

export type PolicySet = { rows: PolicyRow[]; noticeVersion: string; policyFor(scope: string): RetentionPolicy; storeDays(store: string): number | null };

export async function loadPolicies(): Promise<PolicySet> {
  const rows = await db().retentionPolicy.findMany({ where: { state: { in: ["active", "proposed"] } }, orderBy: [{ scope: "asc" }, { retentionClass: "asc" }] });
  const active = rows.filter((r) => r.state === "active");
  const pick = (scope: string) => Object.fromEntries(active.filter((r) => r.scope === scope && (RETENTION_CLASSES as readonly string[]).includes(r.retentionClass)).map((r) => [r.retentionClass, r.periodDays])) as Partial<Record<RetentionClass, number>>;
  const defaults = pick("default");
  const versions = [...new Set(active.map((r) => r.noticeVersion))].sort();
  return {
    rows,
    noticeVersion: versions.length ? versions[versions.length - 1] : CURRENT_NOTICE.version,
    policyFor: (scope) => retentionPolicy({ ...defaults, ...pick(scope) }),
    storeDays: (store) => active.find((r) => r.scope === `store:${store}` && r.retentionClass === "records")?.periodDays ?? null,
  };
}

export type PolicyResult = { ok: true; id: string } | { ok: false; message: string };

const SCOPE = /^(default|sydent:[A-Za-z0-9_.-]{1,64}|haproxy:haproxy|store:[a-z_.]{1,64})$/;

export async function proposePolicy(actor: Actor, input: { scope: string; retentionClass: string; periodDays: number; reason: string; noticeVersion?: string }): Promise<PolicyResult> {
  const notice = NOTICES.find((n) => n.version === (input.noticeVersion ?? CURRENT_NOTICE.version));
  if (!notice) return { ok: false, message: `Unknown privacy-notice version "${input.noticeVersion}". Nothing was changed.` };
  if (!SCOPE.test(input.scope)) return { ok: false, message: "The scope must be default, sydent:<server label>, haproxy:haproxy or store:<name>. Nothing was changed." };
  const isStore = input.scope.startsWith("store:");
  if (isStore ? input.retentionClass !== "records" : !(RETENTION_CLASSES as readonly string[]).includes(input.retentionClass)) {
    return { ok: false, message: `Class "${input.retentionClass}" does not apply to ${input.scope}. Nothing was changed.` };
  }
  if (!Number.isInteger(input.periodDays) || input.periodDays < 0 || input.periodDays > 3650) return { ok: false, message: "The period must be a whole number of days from 0 to 3650. Nothing was changed." };
  if (!isStore) {
    const limit = notice.limits[input.retentionClass as RetentionClass];
    if (input.periodDays > limit) {
      return { ok: false, message: `Privacy notice ${notice.version} (${notice.sections[input.retentionClass as RetentionClass]}) promises at most ${limit} days for ${input.retentionClass}; a longer period needs a new version of the notice first. Nothing was changed.` };
    }
  }
  if (!input.reason.trim()) return { ok: false, message: "Give a reason for the change. Nothing was changed." };
  const row = await withAccessLog(
    (r: { id: string }) => ({ actor, action: "retention.policy.propose", outcome: "ok", details: { policyId: r.id, scope: input.scope, retentionClass: input.retentionClass, periodDays: input.periodDays, noticeVersion: notice.version } }),
    (tx) => tx.retentionPolicy.create({ data: { scope: input.scope, retentionClass: input.retentionClass, periodDays: input.periodDays, noticeVersion: notice.version, state: "proposed", reason: input.reason.trim().slice(0, 500), proposedById: actor.id } }),
  );
  return { ok: true, id: row.id };
}

/** A second admin makes a proposed policy active; the previous one for the same scope and class is superseded. */
export async function approvePolicy(actor: Actor, id: string, now = new Date()): Promise<PolicyResult> {
  const p = await db().retentionPolicy.findUnique({ where: { id } });
  if (!p || p.state !== "proposed") return { ok: false, message: "No such proposed policy (already approved, cancelled or superseded)." };
  if (p.proposedById === actor.id) return { ok: false, message: "A policy change needs a second person: you proposed this one." };
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
