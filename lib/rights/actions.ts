"use server";

import { revalidatePath } from "next/cache";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { decryptSecret } from "@/lib/keys";
import { approveDisclosure, cancelDisclosure, recordDisclosure } from "@/lib/rights/disclosures";
import { decideObjection, recordObjection } from "@/lib/rights/objections";
import { liftRestriction, restrictProcessing, RESTRICTION_GROUNDS, type RestrictionGround } from "@/lib/rights/restrictions";

// Server actions for the disclosure register and restriction of processing.

export type RightsFormState = { ok?: boolean; message?: string | null; errors?: Record<string, string[] | undefined>; values?: Record<string, string> };

function fields(form: FormData): Record<string, string> {
  return Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string")) as Record<string, string>;
}

export async function recordDisclosureAction(_prev: RightsFormState, form: FormData): Promise<RightsFormState> {
  const op = await requireOperator("disclosures.record");
  const f = fields(form);
  const r = await recordDisclosure(actorOf(op), f as never);
  if (!r.ok) return { ok: false, message: r.message, errors: r.errors, values: f };
  revalidatePath("/disclosures");
  return { ok: true, message: `Recorded as ${r.reference}. A second DPO must approve it.` };
}

export async function approveDisclosureAction(_prev: RightsFormState, form: FormData): Promise<RightsFormState> {
  const op = await requireOperator("disclosures.approve");
  const r = await approveDisclosure(actorOf(op), fields(form).id);
  revalidatePath("/disclosures");
  return r.ok ? { ok: true, message: "Approved." } : { ok: false, message: r.message };
}

export async function cancelDisclosureAction(_prev: RightsFormState, form: FormData): Promise<RightsFormState> {
  const op = await requireOperator("disclosures.record");
  const r = await cancelDisclosure(actorOf(op), fields(form).id);
  revalidatePath("/disclosures");
  return r.ok ? { ok: true, message: "Withdrawn." } : { ok: false, message: r.message };
}

/** Restricts every identifier linked to the request (the person the request verified). */
export async function restrictRequestSubjectsAction(_prev: RightsFormState, form: FormData): Promise<RightsFormState> {
  const op = await requireOperator("rights.restrict");
  const f = fields(form);
  if (!(RESTRICTION_GROUNDS as readonly string[]).includes(f.ground)) return { ok: false, errors: { ground: ["Choose the ground for the restriction."] }, message: "Choose the ground." };
  const subjects = await db().requestSubject.findMany({ where: { requestId: f.requestId }, select: { type: true, valueEnc: true } });
  if (subjects.length === 0) return { ok: false, message: "Link the person to this request first (Find a person, then link)." };
  for (const s of subjects) {
    await restrictProcessing(actorOf(op), {
      identifier: { type: s.type as "email", value: decryptSecret(s.valueEnc, "subject-identifier-v1") },
      ground: f.ground as RestrictionGround, requestId: f.requestId,
    });
  }
  revalidatePath(`/requests/${f.requestId}`);
  return { ok: true, message: `Processing restricted for ${subjects.length} identifier(s).` };
}

export async function liftRestrictionAction(_prev: RightsFormState, form: FormData): Promise<RightsFormState> {
  const op = await requireOperator("rights.restrict");
  const f = fields(form);
  const r = await liftRestriction(actorOf(op), f.id, f.reason ?? "");
  if (f.requestId) revalidatePath(`/requests/${f.requestId}`);
  return r.ok ? { ok: true, message: "Restriction lifted." } : { ok: false, message: r.message, errors: { reason: [r.message] } };
}

export async function recordObjectionAction(_prev: RightsFormState, form: FormData): Promise<RightsFormState> {
  const op = await requireOperator("rights.restrict");
  const f = fields(form);
  const r = await recordObjection(actorOf(op), f.requestId, f.processing);
  revalidatePath(`/requests/${f.requestId}`);
  return r.ok ? { ok: true, message: "Objection recorded; decide it with a reason." } : { ok: false, message: r.message };
}

export async function decideObjectionAction(_prev: RightsFormState, form: FormData): Promise<RightsFormState> {
  const op = await requireOperator("rights.restrict");
  const f = fields(form);
  const r = await decideObjection(actorOf(op), f.id, f.decision, f.reason ?? "");
  revalidatePath(`/requests/${f.requestId}`);
  return r.ok ? { ok: true, message: "Decision recorded." } : { ok: false, message: r.message };
}
