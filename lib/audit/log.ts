import { db, type ConsoleTx } from "@/lib/db";
import { appendEntry } from "@/lib/audit/append";
import { maybeAutoSeal } from "@/lib/audit/checkpoint";
import { flushPublications } from "@/lib/audit/publish";
import type { AccessLogInput } from "@/lib/audit/types";

// Writing the access log. Each entry is appended inside a transaction that first bumps the
// single AccessLogHead row: that row write serialises concurrent writers (SQLite's write lock,
// PostgreSQL's row lock), so seq has no gaps and each entry's prevHash is its predecessor's hash.
// Changes to the console's own data pass their transaction in, so change and entry commit together.
// Every CUSTODIAN_CHECKPOINT_EVERY entries the same transaction also seals a signed checkpoint
// (lib/audit/checkpoint.ts), so sealing never depends on a cron job having run.

/**
 * Writers queue on the head row by design, so a burst waits for a pooled connection: allow 10 s
 * to start (Prisma's default of 2 s fails bursts of ~20 on a loaded PostgreSQL server).
 */
export const LOG_TX = { maxWait: 10_000, timeout: 15_000 } as const;

/** Appends one entry inside the caller's transaction (and auto-seals when due). */
export async function appendAccessLog(tx: ConsoleTx, input: AccessLogInput): Promise<{ seq: number; hash: string }> {
  const appended = await appendEntry(tx, input);
  await maybeAutoSeal(tx, appended.seq);
  return appended;
}

/** Appends one entry in its own transaction (views, searches, denied attempts). */
export async function recordAccess(input: AccessLogInput): Promise<{ seq: number; hash: string }> {
  const r = await db().$transaction((tx) => appendAccessLog(tx, input), LOG_TX);
  await flushPublications();
  return r;
}

/** Runs a change to console data and its access-log entry in one transaction. */
export async function withAccessLog<T>(
  input: AccessLogInput | ((result: T) => AccessLogInput),
  change: (tx: ConsoleTx) => Promise<T>,
): Promise<T> {
  const out = await db().$transaction(async (tx) => {
    const result = await change(tx);
    await appendAccessLog(tx, typeof input === "function" ? input(result) : input);
    return result;
  }, LOG_TX);
  await flushPublications();
  return out;
}
