"use server";

import { revalidatePath } from "next/cache";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { linkSubject } from "@/lib/subjects/link";
import { runSubjectReveal, runSubjectSearch, type SubjectState } from "@/lib/subjects/reveal";

// The subjects page's server actions. The identifier always travels in the POST body (never a
// URL) and comes back only inside the action result: masked from searchSubject, in clear from
// revealSubject once the reveal is logged. The logic lives in lib/subjects/reveal.ts and link.ts.

function fields(form: FormData): Record<string, string> {
  return Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string")) as Record<string, string>;
}

export async function searchSubject(_prev: SubjectState, form: FormData): Promise<SubjectState> {
  const op = await requireOperator("subjects.search");
  return runSubjectSearch({ actor: actorOf(op), role: op.role }, fields(form));
}

export async function revealSubject(_prev: SubjectState, form: FormData): Promise<SubjectState> {
  const op = await requireOperator("subjects.reveal");
  return runSubjectReveal({ actor: actorOf(op), role: op.role }, fields(form));
}

export async function linkSubjectToRequest(_prev: SubjectState, form: FormData): Promise<SubjectState> {
  const op = await requireOperator("subjects.reveal");
  const input = fields(form);
  const result = await linkSubject({ actor: actorOf(op), role: op.role }, input);
  if (result.ok && input.requestId) revalidatePath(`/requests/${input.requestId}`);
  return result;
}
