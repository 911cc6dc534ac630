import type { Actor } from "@/lib/audit/types";
import { printJson, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import type { BlockResult } from "@/lib/blocks/service";

// Shared by the blocks:* commands: "7d"/"12h" or an ISO date for --expires, printing results.

export function parseExpiry(raw: unknown, now = new Date()): string {
  const v = String(raw ?? "").trim();
  if (!v) throw new UsageError("--expires <ISO date or e.g. 7d, 12h> is required.");
  const m = /^(\d{1,4})([dh])$/.exec(v);
  if (m) return new Date(now.getTime() + Number(m[1]) * (m[2] === "d" ? 86_400_000 : 3_600_000)).toISOString();
  return v;
}

export function printResult(r: BlockResult<object>): number {
  printJson(r);
  return r.ok ? 0 : 1;
}

/** Cron commands may run without a person: they are then logged as the system. */
export async function operatorOrSystem(email: unknown, permission: Parameters<typeof resolveOperator>[1], label: string): Promise<Actor> {
  if (typeof email === "string" && email) return resolveOperator(email, permission);
  return { id: null, label: `system:${label}`, role: "system", ip: null, userAgent: "custodian-cli" };
}
