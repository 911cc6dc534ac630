"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { createRequestRecord } from "@/lib/requests/create-request";
import { addRequestNote } from "@/lib/requests/notes";
import { searchByRequester, type RequesterSearchResult } from "@/lib/requests/requester-search";
import {
  assignRequestSchema,
  changeStateSchema,
  closeRequestSchema,
  createRequestSchema,
  extendDeadlineSchema,
  type ActionState,
} from "@/lib/requests/schemas";
import {
  assignRequestRecord,
  changeRequestState,
  closeRequestRecord,
  extendRequestDeadline,
  type UpdateResult,
} from "@/lib/requests/update-request";

// The request register's server actions: guard, parse, write with its access-log entry
// (lib/requests/create-request.ts, update-request.ts), revalidate, redirect.

function fields(form: FormData): Record<string, string> {
  return Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string")) as Record<string, string>;
}

function invalid(error: z.ZodError): ActionState {
  return { ok: false, message: "Check the highlighted fields.", errors: z.flattenError(error).fieldErrors };
}

function done(id: string, result: UpdateResult, message: string): ActionState {
  if (!result.ok) return { ok: false, message: result.message };
  revalidatePath(`/requests/${id}`);
  revalidatePath("/requests");
  return { ok: true, message };
}

export async function createRequest(_prev: ActionState, form: FormData): Promise<ActionState> {
  const op = await requireOperator("requests.create");
  const input = fields(form);
  const parsed = createRequestSchema.safeParse(input);
  if (!parsed.success) return { ...invalid(parsed.error), values: input };
  const created = await createRequestRecord(actorOf(op), parsed.data);
  revalidatePath("/requests");
  redirect(`/requests/${created.id}`);
}

export async function assignRequest(_prev: ActionState, form: FormData): Promise<ActionState> {
  const op = await requireOperator("requests.update");
  const parsed = assignRequestSchema.safeParse(fields(form));
  if (!parsed.success) return invalid(parsed.error);
  const { id, assigneeId } = parsed.data;
  return done(id, await assignRequestRecord(actorOf(op), id, assigneeId), assigneeId ? "Assigned." : "Unassigned.");
}

export async function changeState(_prev: ActionState, form: FormData): Promise<ActionState> {
  const op = await requireOperator("requests.update");
  const parsed = changeStateSchema.safeParse(fields(form));
  if (!parsed.success) return invalid(parsed.error);
  const { id, to } = parsed.data;
  return done(id, await changeRequestState(actorOf(op), id, to), "State changed.");
}

export async function extendDeadline(_prev: ActionState, form: FormData): Promise<ActionState> {
  const op = await requireOperator("requests.extend");
  const parsed = extendDeadlineSchema.safeParse(fields(form));
  if (!parsed.success) return invalid(parsed.error);
  const { id, reason } = parsed.data;
  return done(id, await extendRequestDeadline(actorOf(op), id, reason), "Deadline extended. Tell the requester, with the reason.");
}

export async function closeRequest(_prev: ActionState, form: FormData): Promise<ActionState> {
  const op = await requireOperator("requests.close");
  const parsed = closeRequestSchema.safeParse(fields(form));
  if (!parsed.success) return invalid(parsed.error);
  const { id, state, outcome, refusalGround } = parsed.data;
  return done(id, await closeRequestRecord(actorOf(op), id, state, outcome, new Date(), refusalGround), "Request closed.");
}

/** Find requests by the requester's name or contact (POSTed, never in a URL; lib/requests/requester-search.ts). */
export async function searchRequestsByRequester(_prev: RequesterSearchResult | null, form: FormData): Promise<RequesterSearchResult> {
  const op = await requireOperator("requests.viewPersonal");
  const text = form.get("requester");
  return searchByRequester(actorOf(op), op.role, typeof text === "string" ? text : "");
}

/** An internal note or a record of correspondence (lib/requests/notes.ts: identifiers refused, logged). */
export async function addRequestNoteAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const op = await requireOperator("requests.update");
  const input = fields(form);
  const r = await addRequestNote(actorOf(op), input);
  if (!r.ok) return { ok: false, message: r.message, errors: r.errors, values: { kind: input.kind ?? "", body: input.body ?? "" } };
  revalidatePath(`/requests/${input.requestId}`);
  return { ok: true, message: "Added." };
}
