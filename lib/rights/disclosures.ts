import crypto from "node:crypto";
import { z } from "zod";
import { recordAccess, withAccessLog } from "@/lib/audit/log";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import type { Actor } from "@/lib/audit/types";
import { can, isRole } from "@/lib/authz";
import { db } from "@/lib/db";
import { noIdentifiers } from "@/lib/free-text";
import { encryptSecret } from "@/lib/keys";
import { parseCalendarDate } from "@/lib/requests/due-date";
import { parseSubjectInput } from "@/lib/subjects/parse";
import { maskIdentifier } from "@/lib/subjects/present-mask";
import { queryValue } from "@/lib/subjects/present";
import { LEGAL_BASES, LEGAL_BASIS_LABELS, NOTIFICATIONS, type LegalBasis } from "@/lib/rights/catalogue";

export { LEGAL_BASES, LEGAL_BASIS_LABELS, NOTIFICATION_LABELS, NOTIFICATIONS, type LegalBasis, type Notification } from "@/lib/rights/catalogue";

// The disclosure register (privacy notice 3.4): in exceptional cases the service shares a
// person's data with a third party (a law-enforcement order, a security audit, protection from
// harm, an emergency). Each disclosure records what was shared, with whom, on which basis, about
// whom (pseudonym + encrypted identifier, masked in lists), the order's reference, and whether the
// person was told or telling them is deferred (until when, why). A second person approves it
// (never the one who recorded it). Approved disclosures appear in the person's access package,
// except while telling them is deferred.



const text = (min: number, max: number, what: string) =>
  z.string().trim().min(min, `Enter ${what} (at least ${min} characters).`).max(max, `At most ${max} characters.`).superRefine(noIdentifiers(what));

export const recordDisclosureSchema = z
  .object({
    recipient: text(3, 300, "who received the data"),
    legalBasis: z.enum(LEGAL_BASES, { message: "Choose the legal basis." }),
    whatShared: text(10, 2000, "what was shared (categories and period, no identifiers)"),
    orderReference: z.string().trim().max(300, "At most 300 characters.").superRefine(noIdentifiers("order reference")).optional().transform((v) => v || null),
    subjectKind: z.enum(["email", "phone", "mxid"], { message: "Choose the kind of identifier." }),
    subjectValue: z.string().trim().min(1, "Enter the person's identifier.").max(400),
    requestId: z.string().trim().max(100).optional().transform((v) => v || null),
    disclosedOn: z.string().trim().refine((v) => parseCalendarDate(v) !== null, "Enter the date as YYYY-MM-DD.").transform((v) => parseCalendarDate(v)!),
    notification: z.enum(NOTIFICATIONS, { message: "Say whether the person was told." }),
    deferredUntil: z.string().trim().optional().transform((v) => (v ? parseCalendarDate(v) : null)),
    deferralReason: z.string().trim().max(1000).superRefine(noIdentifiers("deferral reason")).optional().transform((v) => v || null),
  })
  .superRefine((v, ctx) => {
    if (v.notification === "deferred") {
      if (!v.deferredUntil) ctx.addIssue({ code: "custom", path: ["deferredUntil"], message: "A deferral needs the date until which the person is not told (YYYY-MM-DD)." });
      if (!v.deferralReason || v.deferralReason.length < 10) ctx.addIssue({ code: "custom", path: ["deferralReason"], message: "Give the reason for deferring (e.g. the order forbids telling), at least 10 characters." });
    }
  });
export type RecordDisclosureInput = z.input<typeof recordDisclosureSchema>;

export type Result<T = object> = ({ ok: true } & T) | { ok: false; code: "invalid" | "denied" | "not_found" | "conflict"; message: string; errors?: Record<string, string[]> };

const ref = (now: Date) => `DIS-${now.getUTCFullYear()}-${crypto.randomBytes(3).toString("hex").toUpperCase()}`;

export async function recordDisclosure(actor: Actor, raw: RecordDisclosureInput, now = new Date()): Promise<Result<{ id: string; reference: string }>> {
  if (!actor.id || !isRole(actor.role) || !can(actor.role, "disclosures.record")) return { ok: false, code: "denied", message: "Your role cannot record disclosures." };
  const parsed = recordDisclosureSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, code: "invalid", message: "Check the highlighted fields.", errors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> };
  const v = parsed.data;
  const subject = parseSubjectInput(v.subjectKind, v.subjectValue);
  if (!subject.ok || subject.query.kind === "lookup_hash") return { ok: false, code: "invalid", message: "Check the highlighted fields.", errors: { subjectValue: [subject.ok ? "Enter an e-mail address, phone number or Matrix ID." : subject.message] } };
  if (v.requestId && !(await db().request.findUnique({ where: { id: v.requestId }, select: { id: true } }))) {
    return { ok: false, code: "invalid", message: "That request is not in the register.", errors: { requestId: ["Choose a request from the register, or none."] } };
  }
  const type = subject.query.kind;
  const value = queryValue(subject.query);
  const pseudonym = pseudonymFor(type, value);
  const reference = ref(now);
  const row = await withAccessLog(
    { actor, action: "disclosure.record", target: { type, pseudonym }, requestId: v.requestId, outcome: "ok", details: { reference, legalBasis: v.legalBasis, notification: v.notification } },
    (tx) => tx.disclosure.create({
      data: {
        reference, recipient: v.recipient, legalBasis: v.legalBasis, whatShared: v.whatShared, orderReference: v.orderReference,
        subjectType: type, pseudonym, valueEnc: encryptSecret(value, "subject-identifier-v1"), masked: maskIdentifier(type, value),
        requestId: v.requestId, disclosedOn: v.disclosedOn, notification: v.notification,
        deferredUntil: v.notification === "deferred" ? v.deferredUntil : null, deferralReason: v.notification === "deferred" ? v.deferralReason : null,
        createdById: actor.id!,
      },
      select: { id: true },
    }),
  );
  return { ok: true, id: row.id, reference };
}

/** A second person (not the recorder) with disclosures.approve confirms the disclosure. */
export async function approveDisclosure(approver: Actor, id: string, now = new Date()): Promise<Result> {
  const d = await db().disclosure.findUnique({ where: { id } });
  if (!d) return { ok: false, code: "not_found", message: "No such disclosure." };
  const target = { type: d.subjectType as "email" | "msisdn" | "mxid", pseudonym: d.pseudonym };
  const deny = async (message: string) => {
    await recordAccess({ actor: approver, action: "disclosure.approve", target, requestId: d.requestId, outcome: "denied", details: { reference: d.reference, reason: message } });
    return { ok: false as const, code: "denied" as const, message };
  };
  if (!approver.id || !isRole(approver.role) || !can(approver.role, "disclosures.approve")) return deny("Your role cannot approve disclosures.");
  if (approver.id === d.createdById) return deny("You recorded this disclosure, so a second person must approve it (separation of duties).");
  if (d.state !== "proposed") return { ok: false, code: "conflict", message: `This disclosure is ${d.state}; only a proposed one can be approved.` };
  await withAccessLog(
    { actor: approver, action: "disclosure.approve", target, requestId: d.requestId, outcome: "ok", details: { reference: d.reference } },
    async (tx) => {
      const { count } = await tx.disclosure.updateMany({ where: { id, state: "proposed" }, data: { state: "approved", approvedById: approver.id, approvedAt: now } });
      if (count !== 1) throw new Error("The disclosure changed meanwhile; reload and try again.");
    },
  );
  return { ok: true };
}

/** Withdraws a proposed disclosure (entered in error); approved ones stay on the register. */
export async function cancelDisclosure(actor: Actor, id: string): Promise<Result> {
  const d = await db().disclosure.findUnique({ where: { id } });
  if (!d) return { ok: false, code: "not_found", message: "No such disclosure." };
  if (!actor.id || !isRole(actor.role) || !can(actor.role, "disclosures.record")) return { ok: false, code: "denied", message: "Your role cannot change the register." };
  if (d.state !== "proposed") return { ok: false, code: "conflict", message: "Only a proposed disclosure can be withdrawn; an approved one stays on the register." };
  await withAccessLog(
    { actor, action: "disclosure.cancel", target: { type: d.subjectType as "email", pseudonym: d.pseudonym }, requestId: d.requestId, outcome: "ok", details: { reference: d.reference } },
    (tx) => tx.disclosure.updateMany({ where: { id, state: "proposed" }, data: { state: "cancelled" } }),
  );
  return { ok: true };
}

/** The register, masked (the identifier never leaves in clear); newest first, paged on the server. */
export async function findDisclosures(o: { page?: number; pageSize?: number; state?: string } = {}) {
  const page = Math.max(1, o.page ?? 1);
  const pageSize = Math.min(100, Math.max(1, o.pageSize ?? 25));
  const where = o.state ? { state: o.state } : {};
  const [data, count] = await Promise.all([
    db().disclosure.findMany({
      where, orderBy: [{ disclosedOn: "desc" }, { reference: "desc" }], skip: (page - 1) * pageSize, take: pageSize,
      select: { id: true, reference: true, recipient: true, legalBasis: true, whatShared: true, orderReference: true, masked: true, requestId: true, disclosedOn: true, notification: true, deferredUntil: true, state: true, createdById: true, approvedById: true, approvedAt: true },
    }),
    db().disclosure.count({ where }),
  ]);
  return { data, count, page, pageSize, totalPages: Math.max(1, Math.ceil(count / pageSize)) };
}

export type PackageDisclosure = { reference: string; disclosedOn: string; recipient: string; legalBasis: string; whatShared: string };

/** Approved disclosures about any of these identifiers that may be told now (not deferred past `now`). */
export async function disclosuresForPackage(ids: { type: "email" | "msisdn" | "mxid"; value: string }[], now: Date): Promise<PackageDisclosure[]> {
  if (ids.length === 0) return [];
  const rows = await db().disclosure.findMany({
    where: {
      pseudonym: { in: ids.map((i) => pseudonymFor(i.type, i.value)) },
      state: "approved",
      OR: [{ notification: { not: "deferred" } }, { deferredUntil: { lte: now } }],
    },
    orderBy: [{ disclosedOn: "asc" }, { reference: "asc" }],
  });
  return rows.map((r) => ({
    reference: r.reference, disclosedOn: r.disclosedOn.toISOString().slice(0, 10), recipient: r.recipient,
    legalBasis: LEGAL_BASIS_LABELS[r.legalBasis as LegalBasis] ?? r.legalBasis, whatShared: r.whatShared,
  }));
}
