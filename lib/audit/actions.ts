"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/lib/db";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { sealCheckpoint } from "@/lib/audit/checkpoint";
import { recordAccess } from "@/lib/audit/log";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { accessLogFilterSchema, activeFilters, findTargetSchema } from "@/lib/audit/schemas";
import { parseSubjectInput } from "@/lib/subjects/parse";
import { parseBlockTarget } from "@/lib/blocks/targets";
import type { Target } from "@/lib/audit/types";
import { verifyAccessLog as runVerification, verifyLogDetails, type VerifyResult } from "@/lib/audit/verify";
import { searchParamsObject } from "@/lib/validation";

// The auditor's page's server actions. Each: guard first, parse, act with its access-log entry.

export type FindTargetState = { message?: string; errors?: Partial<Record<"targetType" | "identifier", string[]>> };

/**
 * "Who accessed this person?": turns an identifier the auditor typed into its pseudonym on the
 * server and redirects to the log filtered by the pseudonym, so the identifier never appears in
 * a URL, the browser history or a proxy log. The lookup is itself an access (logged, pseudonymous).
 */
export async function findTargetPseudonym(_prev: FindTargetState, form: FormData): Promise<FindTargetState> {
  const op = await requireOperator("accessLog.view");
  const parsed = findTargetSchema.safeParse({ targetType: form.get("targetType"), identifier: form.get("identifier") });
  if (!parsed.success) return { message: "Check the highlighted fields.", errors: z.flattenError(parsed.error).fieldErrors };
  const { targetType } = parsed.data;
  if (targetType === "ip" || targetType === "domain" || targetType === "homeserver") {
    // Abuse-block targets: the same canonical form blocks are logged under (lib/blocks/targets.ts).
    const t = parseBlockTarget(targetType, parsed.data.identifier);
    if (!t.ok) return { message: "Check the highlighted fields.", errors: { identifier: [t.message] } };
    return showTarget(op, targetType, t.value, form);
  }
  // Normalise exactly as the subject search does (casefolded e-mail, a phone number typed any way
  // -> E.164 digits), or "07700 900123" would hash differently from the logged 447700900123.
  const subject = parseSubjectInput(targetType === "msisdn" ? "phone" : targetType, parsed.data.identifier);
  if (!subject.ok) return { message: "Check the highlighted fields.", errors: { identifier: [subject.message] } };
  const q = subject.query;
  const identifier = q.kind === "mxid" ? q.mxid : q.kind === "lookup_hash" ? q.hash : q.address;
  return showTarget(op, targetType, identifier, form);
}

async function showTarget(op: Awaited<ReturnType<typeof requireOperator>>, targetType: "email" | "msisdn" | "mxid" | "ip" | "domain" | "homeserver", identifier: string, form: FormData): Promise<FindTargetState> {
  const pseudonym = pseudonymFor(targetType, identifier);
  await recordAccess({ actor: actorOf(op), action: "accessLog.target.lookup", outcome: "ok", target: { type: targetType, value: identifier } as Target });
  // Keep the other filters the auditor had set (only known keys: no open redirect, no identifiers).
  const kept = accessLogFilterSchema.parse(searchParamsObject(new URLSearchParams(String(form.get("currentQuery") ?? ""))));
  const params = new URLSearchParams({ ...activeFilters(kept), target: pseudonym });
  redirect(`/access-log?${params.toString()}`);
}

export type VerifyState =
  | { status: "idle" }
  | { status: "done"; result: Pick<VerifyResult, "ok" | "entries" | "checkpoints" | "firstBroken" | "problemCount" | "lastCheckpoint" | "durationMs"> & { keyIds: string[] } }
  | { status: "error"; message: string };

/** Runs the full chain and checkpoint verification and shows the outcome; logs "accessLog.verify". */
export async function verifyAccessLog(_prev: VerifyState, _form: FormData): Promise<VerifyState> {
  const op = await requireOperator("accessLog.verify");
  let result: VerifyResult;
  try {
    result = await runVerification(db());
  } catch (e) {
    console.error("[custodian] access-log verification failed", e);
    await recordAccess({ actor: actorOf(op), action: "accessLog.verify", outcome: "error", details: { error: "verification did not complete" } });
    return { status: "error", message: "The verification could not complete. The server log has the details." };
  }
  await recordAccess({ actor: actorOf(op), action: "accessLog.verify", outcome: result.ok ? "ok" : "error", details: verifyLogDetails(result) });
  const { ok, entries, checkpoints, firstBroken, problemCount, lastCheckpoint, durationMs } = result;
  return { status: "done", result: { ok, entries, checkpoints, firstBroken, problemCount, lastCheckpoint, durationMs, keyIds: result.keys.map((k) => k.keyId) } };
}

export type SealState = { ok?: boolean; message?: string };

/** Seals a signed checkpoint at the current head (the seal writes its own "accessLog.seal" entry). */
export async function sealAccessLogCheckpoint(_prev: SealState, _form: FormData): Promise<SealState> {
  const op = await requireOperator("accessLog.seal");
  try {
    const { sealed, checkpoint } = await sealCheckpoint(actorOf(op));
    revalidatePath("/access-log");
    if (!sealed) return { ok: true, message: `Nothing new since the checkpoint at seq ${checkpoint?.seq ?? 0}; nothing sealed.` };
    return { ok: true, message: `Sealed checkpoint at seq ${checkpoint!.seq} with key ${checkpoint!.keyId}.` };
  } catch (e) {
    console.error("[custodian] sealing a checkpoint failed", e);
    return { ok: false, message: "Sealing failed (is the checkpoint key file readable?). The server log has the details." };
  }
}
