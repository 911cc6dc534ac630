"use server";

import path from "node:path";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { recordAccess } from "@/lib/audit/log";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { requireFreshCode } from "@/lib/auth/step-up";
import { RETENTION_CLASSES } from "@/lib/logs/retention";
import { retentionNow } from "@/lib/retention/clock";
import { approveNotice, proposeNotice, rejectNotice } from "@/lib/retention/notices";
import { approvePolicy, proposePolicy } from "@/lib/retention/policies";
import { approveEnforcement, auditAndAttest, dryRun, requestEnforcement } from "@/lib/retention/run";

// The retention pages' server actions. Each checks its permission first, parses its input with
// zod and leaves the work to lib/retention (which writes the access-log entries).

export type PlanLine = { name: string; action: "delete" | "rewrite"; linesRemoved: number; linesKept: number; overdueDays: number };
export type RetentionFormState = { ok: boolean; message: string; plan?: PlanLine[]; skipped?: { name: string; reason: string }[] } | null;

const source = z.string().trim().regex(/^(sydent:[A-Za-z0-9_.-]{1,64}|haproxy:haproxy)$/);
const id = z.string().trim().min(1).max(100);
const field = (form: FormData, k: string) => (typeof form.get(k) === "string" ? String(form.get(k)) : "");

export async function runRetentionAuditAction(_prev: RetentionFormState, _form: FormData): Promise<RetentionFormState> {
  const op = await requireOperator("retention.audit");
  const { report } = await auditAndAttest(actorOf(op), { now: retentionNow() });
  revalidatePath("/retention");
  return { ok: true, message: `Audit done: ${report.findings} finding(s)${report.overdue ? ", something is overdue" : ", nothing overdue"}. A signed attestation was recorded.` };
}

export async function dryRunAction(_prev: RetentionFormState, form: FormData): Promise<RetentionFormState> {
  const op = await requireOperator("retention.enforce");
  const key = source.safeParse(field(form, "source"));
  if (!key.success) return { ok: false, message: "No such log source." };
  const d = await dryRun(key.data, retentionNow());
  if (!d) return { ok: false, message: "No such log source." };
  await recordAccess({ actor: actorOf(op), action: "retention.enforce.dryrun", outcome: "ok", details: { source: key.data, items: d.plan.items.length, skipped: d.plan.skipped.length } });
  return {
    ok: true,
    message: d.plan.items.length ? `Dry run: ${d.plan.items.length} file(s) would change. Nothing was changed.` : "Dry run: nothing to delete or rewrite.",
    plan: d.plan.items.map((i) => ({ name: path.basename(i.file), action: i.action, linesRemoved: i.linesRemoved, linesKept: i.linesKept, overdueDays: i.overdueDays })),
    skipped: d.plan.skipped.map((s) => ({ name: path.basename(s.file), reason: s.reason })),
  };
}

export async function requestEnforcementAction(_prev: RetentionFormState, form: FormData): Promise<RetentionFormState> {
  const op = await requireOperator("retention.enforce");
  const key = source.safeParse(field(form, "source"));
  if (!key.success) return { ok: false, message: "No such log source." };
  const r = await requestEnforcement(actorOf(op), key.data, retentionNow());
  revalidatePath("/retention");
  if (r.status === "awaiting_approval") return { ok: true, message: "This is the first enforcement of this source: it now waits for a second person's approval on the Retention page." };
  if (r.status === "nothing-to-do") return { ok: true, message: "Nothing to delete or rewrite." };
  if (r.status === "refused" || r.status === "failed") return { ok: false, message: r.message };
  const skipped = r.actions.filter((a) => a.status === "skipped").length;
  return { ok: skipped === 0, message: `Enforced: ${r.actions.filter((a) => a.status === "deleted").length} deleted, ${r.actions.filter((a) => a.status === "rewritten").length} rewritten${skipped ? `, ${skipped} left (changed meanwhile)` : ""}. Re-audited and attested.` };
}

export async function approveEnforcementAction(_prev: RetentionFormState, form: FormData): Promise<RetentionFormState> {
  const op = await requireOperator("retention.approve");
  const eid = id.safeParse(field(form, "enforcementId"));
  if (!eid.success) return { ok: false, message: "No such enforcement." };
  const actor = actorOf(op);
  // Like the command line (--code) and every other second-person approval: a fresh authenticator code.
  const r = await approveEnforcement(actor, eid.data, retentionNow(), { stepUp: () => requireFreshCode(actor, form.get("code"), "retention.enforce.approve", { enforcementId: eid.data }) });
  if (r.status === "refused") return { ok: false, message: r.message };
  if (r.status !== "done" && r.status !== "failed") return { ok: false, message: "Nothing was done." };
  const row = await db().retentionEnforcement.findUniqueOrThrow({ where: { id: r.enforcementId }, select: { sourceKey: true } });
  revalidatePath("/retention");
  // The pending entry is gone once it ran: show the outcome on the source's page.
  redirect(`/retention/${encodeURIComponent(row.sourceKey)}?enforced=${encodeURIComponent(r.enforcementId)}`);
}

const proposal = z.object({
  scope: z.string().trim().min(1).max(80),
  retentionClass: z.string().trim().min(1).max(40),
  periodDays: z.coerce.number().int().min(0).max(3650),
  reason: z.string().trim().min(1, "Give a reason.").max(500),
});

export async function proposePolicyAction(_prev: RetentionFormState, form: FormData): Promise<RetentionFormState> {
  const op = await requireOperator("retention.policy");
  const p = proposal.safeParse({ scope: field(form, "scope"), retentionClass: field(form, "retentionClass"), periodDays: field(form, "periodDays"), reason: field(form, "reason") });
  if (!p.success) return { ok: false, message: p.error.issues[0]?.message ?? "Check the form. Nothing was changed." };
  const r = await proposePolicy(actorOf(op), p.data);
  revalidatePath("/retention");
  return r.ok ? { ok: true, message: "Proposed: a second administrator approves it on this page." } : { ok: false, message: r.message };
}

export async function approvePolicyAction(_prev: RetentionFormState, form: FormData): Promise<RetentionFormState> {
  const op = await requireOperator("retention.policy");
  const pid = id.safeParse(field(form, "policyId"));
  if (!pid.success) return { ok: false, message: "No such policy." };
  const actor = actorOf(op);
  const r = await approvePolicy(actor, pid.data, new Date(), { stepUp: () => requireFreshCode(actor, form.get("code"), "retention.policy.approve", { policyId: pid.data }) });
  revalidatePath("/retention");
  return r.ok ? { ok: true, message: "Approved: the policy is active." } : { ok: false, message: r.message };
}

// Privacy-notice versions (lib/retention/notices.ts): the forms of /retention/notices. The result
// has the shape components/action-form.tsx shows: a banner, errors under fields, values kept.
export type NoticeFormState = { ok?: boolean; message?: string | null; errors?: Record<string, string[] | undefined>; values?: Record<string, string> };

const NOTICE_FIELDS = ["version", "effectiveFrom", "textSha256", "reason", ...RETENTION_CLASSES.flatMap((c) => [`limit.${c}`, `section.${c}`])];

export async function proposeNoticeAction(_prev: NoticeFormState, form: FormData): Promise<NoticeFormState> {
  const op = await requireOperator("retention.notice");
  const values = Object.fromEntries(NOTICE_FIELDS.map((k) => [k, field(form, k).slice(0, 600)]));
  const r = await proposeNotice(actorOf(op), {
    version: values.version, effectiveFrom: values.effectiveFrom, textSha256: values.textSha256, reason: values.reason,
    limits: Object.fromEntries(RETENTION_CLASSES.map((c) => [c, values[`limit.${c}`]])),
    sections: Object.fromEntries(RETENTION_CLASSES.map((c) => [c, values[`section.${c}`]])),
  });
  if (!r.ok) return { ok: false, message: r.message, errors: r.errors, values };
  revalidatePath("/retention/notices");
  return { ok: true, message: `Privacy notice ${r.version} is proposed: another administrator approves it on this page.` };
}

export async function approveNoticeAction(_prev: NoticeFormState, form: FormData): Promise<NoticeFormState> {
  const op = await requireOperator("retention.notice");
  const nid = id.safeParse(field(form, "noticeId"));
  if (!nid.success) return { ok: false, message: "No such privacy-notice version." };
  const actor = actorOf(op);
  const r = await approveNotice(actor, nid.data, { stepUp: () => requireFreshCode(actor, form.get("code"), "retention.notice.approve", { noticeId: nid.data }) });
  revalidatePath("/retention/notices");
  revalidatePath("/retention");
  return r.ok ? { ok: true, message: `Approved: privacy notice ${r.version} is recorded; policies are checked against its limits from its effective date.` } : { ok: false, message: r.message };
}

export async function rejectNoticeAction(_prev: NoticeFormState, form: FormData): Promise<NoticeFormState> {
  const op = await requireOperator("retention.notice");
  const nid = id.safeParse(field(form, "noticeId"));
  if (!nid.success) return { ok: false, message: "No such privacy-notice version." };
  const reason = field(form, "rejectReason").slice(0, 600);
  const r = await rejectNotice(actorOf(op), nid.data, reason);
  revalidatePath("/retention/notices");
  return r.ok ? { ok: true, message: `Rejected: privacy notice ${r.version} will not be followed.` } : { ok: false, message: r.message, errors: r.errors ? { rejectReason: r.errors.reason } : undefined, values: { rejectReason: reason } };
}
