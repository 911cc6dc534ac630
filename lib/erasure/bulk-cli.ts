import { db } from "@/lib/db";
import { UsageError } from "@/lib/cli/command";

// Small helpers shared by the erasure commands (lib/cli/commands/erasure-*.ts).

/** A request by id or by reference (e.g. DSR-2026-0001). */
export async function requestIdFromRef(ref: string | undefined): Promise<string> {
  const v = (ref ?? "").trim();
  if (!v) throw new UsageError("--request <reference or id> is required.");
  const r = await db().request.findFirst({ where: { OR: [{ id: v }, { reference: v }] }, select: { id: true } });
  if (!r) throw new UsageError(`No request "${v}".`);
  return r.id;
}

export function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || !v.trim()) throw new UsageError(`--${name} is required.`);
  return v.trim();
}

export const operatorOption = { operator: { type: "string" as const, description: "Staff e-mail (required; named in the access log)." } };
