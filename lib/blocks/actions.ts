"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { approveBlock, createBlock, liftBlock, renewBlock } from "@/lib/blocks/service";
import { syncBlocks } from "@/lib/blocks/sync";

// The blocks pages' server actions: guard, parse, then lib/blocks/service.ts does the change,
// the HAProxy update and the access-log entry in one transaction.

export type BlockFormState = { ok: boolean; message: string; fieldErrors?: Record<string, string>; id?: string } | null;

const id = z.string().trim().min(1).max(100);

function fields(form: FormData): Record<string, string> {
  return Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string")) as Record<string, string>;
}

function done(r: Awaited<ReturnType<typeof liftBlock>>, okMessage: string): BlockFormState {
  revalidatePath("/blocks");
  if (r.ok) return { ok: true, message: okMessage, id: r.id };
  const fieldErrors = Object.fromEntries((r.problems ?? []).map((p) => [p.field, p.message]));
  return { ok: false, message: r.message, fieldErrors };
}

export async function createBlockAction(_prev: BlockFormState, form: FormData): Promise<BlockFormState> {
  const op = await requireOperator("blocks.manage");
  const f = fields(form);
  // datetime-local inputs carry no zone: the form states they are UTC.
  const expiresAt = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(f.expiresAt ?? "") ? `${f.expiresAt}:00Z` : f.expiresAt;
  const r = await createBlock(actorOf(op), { kind: f.kind, target: f.target ?? "", scope: f.scope, reason: f.reason ?? "", expiresAt });
  if (r.ok && r.state === "pending") return done(r, "Saved. This block is broad: a second person must approve it before HAProxy enforces it.");
  const overlaps = r.ok && r.overlaps.length ? ` It overlaps ${r.overlaps.length} existing block(s): ${r.overlaps.map((o) => `${o.value} (${o.relation})`).join(", ")}.` : "";
  return done(r, `Blocked: HAProxy enforces it now.${overlaps}`);
}

export async function approveBlockAction(_prev: BlockFormState, form: FormData): Promise<BlockFormState> {
  const op = await requireOperator("blocks.manage");
  const parsed = z.object({ id }).safeParse(fields(form));
  if (!parsed.success) return { ok: false, message: "Missing block id." };
  return done(await approveBlock(actorOf(op), parsed.data.id), "Approved: HAProxy enforces it now.");
}

export async function liftBlockAction(_prev: BlockFormState, form: FormData): Promise<BlockFormState> {
  const op = await requireOperator("blocks.manage");
  const f = fields(form);
  const parsed = z.object({ id }).safeParse(f);
  if (!parsed.success) return { ok: false, message: "Missing block id." };
  return done(await liftBlock(actorOf(op), parsed.data.id, f.reason ?? ""), "Lifted: HAProxy no longer blocks it.");
}

export async function renewBlockAction(_prev: BlockFormState, form: FormData): Promise<BlockFormState> {
  const op = await requireOperator("blocks.manage");
  const f = fields(form);
  const parsed = z.object({ id }).safeParse(f);
  if (!parsed.success) return { ok: false, message: "Missing block id." };
  const expiresAt = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(f.expiresAt ?? "") ? `${f.expiresAt}:00Z` : f.expiresAt;
  return done(await renewBlock(actorOf(op), parsed.data.id, { reason: f.reason ?? "", expiresAt }), "Renewed.");
}

export async function syncBlocksAction(_prev: BlockFormState, _form: FormData): Promise<BlockFormState> {
  const op = await requireOperator("blocks.sync");
  const r = await syncBlocks(actorOf(op), { repair: true });
  revalidatePath("/blocks/status");
  if (!r.ok) return { ok: false, message: r.message };
  return { ok: true, message: r.inSync ? "HAProxy already matched the console." : `Repaired ${r.repaired} list(s): HAProxy now matches the console.` };
}
