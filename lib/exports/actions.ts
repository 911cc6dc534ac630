"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { requireFreshCode } from "@/lib/auth/step-up";
import { PACKAGE_KINDS } from "@/lib/exports/types";
import { approvePackage, generatePackage, revokePackage } from "@/lib/exports/workflow";

// Server actions of the package workflow: guard, parse, run (lib/exports/workflow.ts writes the
// access-log entries with the requestId), revalidate. The download link is returned once, in
// the approve action's result, and never stored in clear.

export type PackageActionState = { ok?: boolean; message?: string; packageId?: string; url?: string; expiresAt?: string };

const id = z.string().trim().min(1).max(100);
const generateSchema = z.object({ requestId: id, kind: z.enum(PACKAGE_KINDS).optional() });
const packageSchema = z.object({ packageId: id, requestId: id });

function fields(form: FormData): Record<string, string> {
  return Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string" && v !== "")) as Record<string, string>;
}

export async function generatePackageAction(_prev: PackageActionState, form: FormData): Promise<PackageActionState> {
  const op = await requireOperator("exports.generate");
  const parsed = generateSchema.safeParse(fields(form));
  if (!parsed.success) return { ok: false, message: "Choose access or portability." };
  const r = await generatePackage(actorOf(op), parsed.data.requestId, parsed.data.kind);
  if (!r.ok) return { ok: false, message: r.message };
  revalidatePath(`/requests/${parsed.data.requestId}`);
  return { ok: true, message: "Package generated. A second person must review and approve it.", packageId: r.packageId };
}

export async function approvePackageAction(_prev: PackageActionState, form: FormData): Promise<PackageActionState> {
  const op = await requireOperator("exports.approve");
  const parsed = packageSchema.safeParse(fields(form));
  if (!parsed.success) return { ok: false, message: "Unknown package." };
  const code = await requireFreshCode(actorOf(op), form.get("code"), "exports.approve", { packageId: parsed.data.packageId });
  if (!code.ok) return { ok: false, message: code.message };
  const r = await approvePackage(actorOf(op), parsed.data.packageId);
  if (!r.ok) return { ok: false, message: r.message };
  revalidatePath(`/requests/${parsed.data.requestId}`);
  return { ok: true, message: "Approved. Copy the link now: it is shown only once.", url: r.url, expiresAt: r.expiresAt.toISOString() };
}

export async function revokePackageAction(_prev: PackageActionState, form: FormData): Promise<PackageActionState> {
  const op = await requireOperator("exports.generate");
  const parsed = packageSchema.safeParse(fields(form));
  if (!parsed.success) return { ok: false, message: "Unknown package." };
  const r = await revokePackage(actorOf(op), parsed.data.packageId);
  if (!r.ok) return { ok: false, message: r.message };
  revalidatePath(`/requests/${parsed.data.requestId}`);
  return { ok: true, message: "Package revoked; its files were deleted." };
}
