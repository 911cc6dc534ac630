"use server";

import { revalidatePath } from "next/cache";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { decideCandidate, listCandidates, type CandidateList } from "@/lib/subjects/candidates";

// The request page's candidate identifiers (lib/subjects/candidates.ts): list them (a reverse
// lookup, so dpo only), then confirm or decline each one.

export type CandidateState = { list?: CandidateList; message?: string; ok?: boolean };

const str = (form: FormData, k: string) => (typeof form.get(k) === "string" ? String(form.get(k)) : "");

export async function findCandidatesAction(_prev: CandidateState, form: FormData): Promise<CandidateState> {
  const op = await requireOperator("subjects.reverseLookup");
  return { list: await listCandidates({ actor: actorOf(op), role: op.role }, str(form, "requestId").slice(0, 100)) };
}

export async function decideCandidateAction(_prev: CandidateState, form: FormData): Promise<CandidateState> {
  const op = await requireOperator("subjects.reverseLookup");
  const requestId = str(form, "requestId").slice(0, 100);
  const decision = str(form, "decision") === "confirm" ? "confirm" : "decline";
  const r = await decideCandidate({ actor: actorOf(op), role: op.role }, { requestId, ref: str(form, "ref").slice(0, 100), decision, note: str(form, "note") });
  if (r.ok) revalidatePath(`/requests/${requestId}`);
  const list = await listCandidates({ actor: actorOf(op), role: op.role }, requestId);
  return { ok: r.ok, message: r.message, list };
}
