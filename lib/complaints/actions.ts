"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import {
  assignComplaint, createComplaint, escalateComplaint, linkComplaint, replyToComplaint, resolveComplaint, revealComplaintContact,
  type Result,
} from "@/lib/complaints/manage";

// The complaint queue's server actions: guard, then lib/complaints/manage.ts (which validates,
// checks the rule again and writes with its access-log entry).

export type FormState = { ok?: boolean; message?: string | null; errors?: Record<string, string[] | undefined>; values?: Record<string, string>; contact?: string };

function fields(form: FormData): Record<string, string> {
  return Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string")) as Record<string, string>;
}
function after(id: string, r: Result, message: string): FormState {
  if (!r.ok) return { ok: false, message: r.message, errors: r.errors };
  revalidatePath(`/complaints/${id}`);
  revalidatePath("/complaints");
  return { ok: true, message };
}

export async function createComplaintAction(_prev: FormState, form: FormData): Promise<FormState> {
  const op = await requireOperator("complaints.manage");
  const f = fields(form);
  const r = await createComplaint(actorOf(op), { ...f, receivedAt: f.receivedAt || undefined } as never);
  if (!r.ok) return { ok: false, message: r.message, errors: r.errors, values: f };
  revalidatePath("/complaints");
  redirect(`/complaints/${r.id}`);
}

export async function linkComplaintAction(_prev: FormState, form: FormData): Promise<FormState> {
  const op = await requireOperator("complaints.manage");
  const f = fields(form);
  return after(f.id, await linkComplaint(actorOf(op), f.id, f.relation, f.kind, f.ref ?? ""), "Linked.");
}

export async function replyComplaintAction(_prev: FormState, form: FormData): Promise<FormState> {
  const op = await requireOperator("complaints.manage");
  const f = fields(form);
  return after(f.id, await replyToComplaint(actorOf(op), f.id, f.template), "Reply recorded as correspondence.");
}

export async function escalateComplaintAction(_prev: FormState, form: FormData): Promise<FormState> {
  const op = await requireOperator("complaints.manage");
  const f = fields(form);
  return after(f.id, await escalateComplaint(actorOf(op), f.id, f.reason ?? ""), "Escalated to the DPO.");
}

export async function resolveComplaintAction(_prev: FormState, form: FormData): Promise<FormState> {
  // complaints.manage for the queue; an escalated complaint also needs complaints.resolveEscalated (checked in manage.ts).
  const op = await requireOperator("complaints.manage");
  const f = fields(form);
  return after(f.id, await resolveComplaint(actorOf(op), f.id, f.resolution ?? "", f.template || null), "Resolved.");
}

export async function assignComplaintAction(_prev: FormState, form: FormData): Promise<FormState> {
  const op = await requireOperator("complaints.manage");
  const f = fields(form);
  return after(f.id, await assignComplaint(actorOf(op), f.id, f.ownerId), "Owner changed.");
}

export async function revealComplaintContactAction(_prev: FormState, form: FormData): Promise<FormState> {
  const op = await requireOperator("complaints.manage");
  const r = await revealComplaintContact(actorOf(op), fields(form).id);
  return r.ok ? { ok: true, contact: r.contact, message: "Revealed; this is recorded in the access log." } : { ok: false, message: r.message };
}
