import crypto from "node:crypto";
import { z } from "zod";
import { appendAccessLog, recordAccess, withAccessLog } from "@/lib/audit/log";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import type { Actor } from "@/lib/audit/types";
import { can, isRole, type Permission } from "@/lib/authz";
import { db } from "@/lib/db";
import { identifierInText, identifierInTextMessage, noIdentifiers } from "@/lib/free-text";
import { decryptSecret, encryptSecret } from "@/lib/keys";
import { maskContact } from "@/lib/mask";
import { parseSubjectInput } from "@/lib/subjects/parse";
import { queryValue } from "@/lib/subjects/present";
import { env } from "@/lib/env";
import {
  LINK_KINDS, parseTargets, RELATIONS, renderTemplate, SEVERITIES, TEMPLATE_KEYS, type LinkKind, type TemplateKey,
} from "@/lib/complaints/catalogue";

// The complaint queue. The complainant's contact is personal data: stored encrypted, shown masked
// until revealed (logged). Summaries and notes refuse identifiers (lib/free-text.ts) because they
// are shown in lists. Every change is one transaction with its access-log entry; links name what a
// complaint is about and what it caused, so an auditor can follow the trail.

export type Result<T = object> = ({ ok: true } & T) | { ok: false; code: "invalid" | "denied" | "not_found" | "conflict"; message: string; errors?: Record<string, string[]> };
const KEY = "subject-identifier-v1" as const;
const HOUR = 3_600_000;

const deny = (message: string): Result<never> => ({ ok: false, code: "denied", message });
function allowed(actor: Actor, p: Permission): boolean {
  return !!actor.id && isRole(actor.role) && can(actor.role, p);
}
const target = (id: string) => ({ type: "request" as const, ref: id });

export const createComplaintSchema = z.object({
  severity: z.enum(SEVERITIES, { message: "Choose a severity." }),
  summary: z.string().trim().min(10, "Describe the complaint in at least 10 characters.").max(4000, "At most 4000 characters.").superRefine(noIdentifiers("summary (lists show it)")),
  contactName: z.string().trim().min(1, "Enter the complainant's name.").max(200),
  contact: z.string().trim().min(3, "Enter how to reach the complainant (e-mail address or phone number).").max(300),
  subjectKind: z.enum(["email", "phone", "mxid", ""]).optional().transform((v) => v || null),
  subjectValue: z.string().trim().max(400).optional().transform((v) => v || null),
  receivedAt: z.coerce.date({ message: "Enter when the complaint was received." }).optional(),
});
export type CreateComplaintInput = z.input<typeof createComplaintSchema>;

export async function createComplaint(actor: Actor, raw: CreateComplaintInput, now = new Date()): Promise<Result<{ id: string; reference: string }>> {
  if (!allowed(actor, "complaints.manage")) return deny("Your role cannot take in complaints.");
  const parsed = createComplaintSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, code: "invalid", message: "Check the highlighted fields.", errors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> };
  const v = parsed.data;
  let subjectPseudonym: string | null = null;
  if (v.subjectKind && v.subjectValue) {
    const q = parseSubjectInput(v.subjectKind, v.subjectValue);
    if (!q.ok || q.query.kind === "lookup_hash") return { ok: false, code: "invalid", message: "Check the highlighted fields.", errors: { subjectValue: [q.ok ? "Enter an e-mail address, phone number or Matrix ID." : q.message] } };
    subjectPseudonym = pseudonymFor(q.query.kind, queryValue(q.query));
  }
  const receivedAt = v.receivedAt ?? now;
  const t = parseTargets(env().CUSTODIAN_COMPLAINT_TARGETS)[v.severity];
  const reference = `CMP-${receivedAt.getUTCFullYear()}-${crypto.randomBytes(3).toString("hex").toUpperCase()}`;
  const row = await withAccessLog(
    (r: { id: string }) => ({ actor, action: "complaint.create", target: target(r.id), outcome: "ok", details: { reference, severity: v.severity, subjectGiven: !!subjectPseudonym } }),
    (tx) => tx.complaint.create({
      data: {
        reference, severity: v.severity, summary: v.summary, contactName: v.contactName, contactEnc: encryptSecret(v.contact, KEY),
        contactMasked: maskContact(v.contact), receivedAt, firstResponseDue: new Date(receivedAt.getTime() + t.firstResponseHours * HOUR),
        resolutionDue: new Date(receivedAt.getTime() + t.resolutionDays * 24 * HOUR), subjectPseudonym, createdById: actor.id!, ownerId: actor.id!,
      },
      select: { id: true },
    }),
  );
  return { ok: true, id: row.id, reference };
}

async function load(id: string) {
  return db().complaint.findUnique({ where: { id } });
}

export async function assignComplaint(actor: Actor, id: string, ownerId: string): Promise<Result> {
  if (!allowed(actor, "complaints.manage")) return deny("Your role cannot assign complaints.");
  const c = await load(id);
  if (!c) return { ok: false, code: "not_found", message: "No such complaint." };
  const owner = await db().staff.findUnique({ where: { id: ownerId } });
  if (!owner || owner.disabledAt || !isRole(owner.role) || !can(owner.role, "complaints.manage")) return { ok: false, code: "invalid", message: "Choose an active staff member who handles complaints." };
  await withAccessLog({ actor, action: "complaint.assign", target: target(id), outcome: "ok", details: { reference: c.reference, ownerId } }, (tx) => tx.complaint.update({ where: { id }, data: { ownerId } }));
  return { ok: true };
}

/** Validates the linked object exists and returns its canonical ref. */
async function resolveRef(kind: LinkKind, raw: string): Promise<string | null> {
  const v = raw.trim();
  if (!v || v.length > 200) return null;
  if (kind === "request") return (await db().request.findFirst({ where: { OR: [{ id: v }, { reference: v.toUpperCase() }] }, select: { id: true } }))?.id ?? null;
  if (kind === "erasure") return (await db().erasureJob.findUnique({ where: { id: v }, select: { id: true } }))?.id ?? null;
  if (kind === "accessLog") {
    const seq = Number(v.replace(/^#/, ""));
    if (!Number.isInteger(seq) || seq < 1) return null;
    return (await db().accessLogEntry.findUnique({ where: { seq }, select: { seq: true } })) ? String(seq) : null;
  }
  if (kind === "staff") return (await db().staff.findFirst({ where: { OR: [{ id: v }, { email: v.toLowerCase() }] }, select: { id: true } }))?.id ?? null;
  // Abuse blocks live in their own table when that capability is installed: keep the id as given.
  return /^[A-Za-z0-9_-]{1,64}$/.test(v) ? v : null;
}

export async function linkComplaint(actor: Actor, id: string, relation: string, kind: string, ref: string): Promise<Result> {
  if (!allowed(actor, "complaints.manage")) return deny("Your role cannot change complaints.");
  if (!(RELATIONS as readonly string[]).includes(relation) || !(LINK_KINDS as readonly string[]).includes(kind)) return { ok: false, code: "invalid", message: "Choose what the link is (about / caused) and what it points to." };
  const c = await load(id);
  if (!c) return { ok: false, code: "not_found", message: "No such complaint." };
  const canonical = await resolveRef(kind as LinkKind, ref);
  if (!canonical) return { ok: false, code: "invalid", message: `No ${kind === "accessLog" ? "access-log entry" : kind} "${ref.slice(0, 60)}" was found.`, errors: { ref: ["Not found."] } };
  await db().$transaction(async (tx) => {
    await tx.complaintLink.upsert({
      where: { complaintId_relation_kind_ref: { complaintId: id, relation, kind, ref: canonical } },
      update: {}, create: { complaintId: id, relation, kind, ref: canonical, addedById: actor.id! },
    });
    // A complaint about an access-log entry concerns the person that entry is about.
    if (kind === "accessLog" && !c.subjectPseudonym) {
      const e = await tx.accessLogEntry.findUnique({ where: { seq: Number(canonical) }, select: { targetPseudonym: true } });
      if (e?.targetPseudonym) await tx.complaint.update({ where: { id }, data: { subjectPseudonym: e.targetPseudonym } });
    }
    await appendAccessLog(tx, { actor, action: "complaint.link", target: target(id), outcome: "ok", details: { reference: c.reference, relation, kind, ref: canonical } });
  });
  return { ok: true };
}

export async function replyToComplaint(actor: Actor, id: string, template: string, now = new Date()): Promise<Result> {
  if (!allowed(actor, "complaints.manage")) return deny("Your role cannot answer complaints.");
  if (!(TEMPLATE_KEYS as string[]).includes(template)) return { ok: false, code: "invalid", message: "Choose a reply template." };
  const c = await load(id);
  if (!c) return { ok: false, code: "not_found", message: "No such complaint." };
  if (c.state === "resolved") return { ok: false, code: "conflict", message: "This complaint is resolved." };
  await withAccessLog({ actor, action: "complaint.reply", target: target(id), outcome: "ok", details: { reference: c.reference, template } }, async (tx) => {
    await tx.complaintMessage.create({ data: { complaintId: id, direction: "out", template, body: renderTemplate(template as TemplateKey, c.reference), authorId: actor.id! } });
    await tx.complaint.update({
      where: { id },
      data: { firstResponseAt: c.firstResponseAt ?? now, ...(c.state === "open" ? { state: "responded" } : {}) },
    });
  });
  return { ok: true };
}

export async function escalateComplaint(actor: Actor, id: string, reason: string, now = new Date()): Promise<Result> {
  if (!allowed(actor, "complaints.manage")) return deny("Your role cannot escalate complaints.");
  const text = reason.trim();
  const check = noIdentifiersMessage(text, "reason (it goes into the access log)");
  if (text.length < 10 || check) return { ok: false, code: "invalid", message: check ?? "Say why the DPO must decide (at least 10 characters)." };
  const c = await load(id);
  if (!c) return { ok: false, code: "not_found", message: "No such complaint." };
  if (c.state === "resolved" || c.state === "escalated") return { ok: false, code: "conflict", message: `This complaint is already ${c.state}.` };
  await withAccessLog({ actor, action: "complaint.escalate", target: target(id), outcome: "ok", purpose: text, details: { reference: c.reference } },
    (tx) => tx.complaint.update({ where: { id }, data: { state: "escalated", escalatedAt: now } }));
  return { ok: true };
}

export async function resolveComplaint(actor: Actor, id: string, resolution: string, template: string | null, now = new Date()): Promise<Result> {
  const c = await load(id);
  if (!c) return { ok: false, code: "not_found", message: "No such complaint." };
  if (!allowed(actor, c.state === "escalated" ? "complaints.resolveEscalated" : "complaints.manage")) {
    await recordAccess({ actor, action: "complaint.resolve", target: target(id), outcome: "denied", details: { reference: c.reference, state: c.state } });
    return deny(c.state === "escalated" ? "This complaint was escalated: only the DPO can resolve it." : "Your role cannot resolve complaints.");
  }
  if (c.state === "resolved") return { ok: false, code: "conflict", message: "This complaint is already resolved." };
  const text = resolution.trim();
  if (text.length < 10) return { ok: false, code: "invalid", message: "Describe the resolution in at least 10 characters.", errors: { resolution: ["At least 10 characters."] } };
  if (template && !(TEMPLATE_KEYS as string[]).includes(template)) return { ok: false, code: "invalid", message: "Choose a reply template." };
  await withAccessLog({ actor, action: "complaint.resolve", target: target(id), outcome: "ok", details: { reference: c.reference, from: c.state, template } }, async (tx) => {
    if (template) await tx.complaintMessage.create({ data: { complaintId: id, direction: "out", template, body: renderTemplate(template as TemplateKey, c.reference), authorId: actor.id! } });
    await tx.complaint.update({ where: { id }, data: { state: "resolved", resolvedAt: now, resolution: text, firstResponseAt: c.firstResponseAt ?? (template ? now : null) } });
  });
  return { ok: true };
}

/** The complainant's contact in clear, for a stated purpose; logged. */
export async function revealComplaintContact(actor: Actor, id: string): Promise<Result<{ contact: string }>> {
  if (!allowed(actor, "complaints.manage") || !isRole(actor.role) || !can(actor.role, "requests.viewPersonal")) return deny("Your role cannot see complainants' contact details.");
  const c = await load(id);
  if (!c) return { ok: false, code: "not_found", message: "No such complaint." };
  await recordAccess({ actor, action: "complaint.contact.reveal", target: target(id), outcome: "ok", purpose: "answer the complaint", details: { reference: c.reference } });
  return { ok: true, contact: decryptSecret(c.contactEnc, KEY) };
}

function noIdentifiersMessage(text: string, where: string): string | null {
  const kind = identifierInText(text);
  return kind ? identifierInTextMessage(kind, where) : null;
}
