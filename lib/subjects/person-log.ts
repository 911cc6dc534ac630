import { appendAccessLog } from "@/lib/audit/log";
import type { AccessLogInput, Target } from "@/lib/audit/types";
import { db, type ConsoleTx } from "@/lib/db";

// Access-log entries about a *person*, not just a request: each of the person's identifiers gets
// its own entry, so the auditor's "who accessed this person" and the package's "who accessed your
// data" find the event whichever identifier they start from. The first entry is the event; the
// others repeat it with details.additionalTarget = true (the request's timeline shows the event
// once). For a request's package or erasure the identifiers are those linked to the request
// (RequestSubject, pseudonym precomputed); without a linked subject the entry targets the request.
// No Next or log-search imports: the package builder and the CLI use this module.

export type PersonTarget = Extract<Target, { pseudonym: string }>;

/** The linked identifiers' pseudonyms, oldest link first (read in the caller's transaction if given). */
export async function linkedPersonTargets(requestId: string, tx?: ConsoleTx): Promise<PersonTarget[]> {
  const rows = await (tx ?? db()).requestSubject.findMany({ where: { requestId }, orderBy: { createdAt: "asc" }, select: { type: true, pseudonym: true } });
  return rows.map((r) => ({ type: r.type as PersonTarget["type"], pseudonym: r.pseudonym }));
}

/** One entry per target (the first is the event itself); the request target when there are none. */
export function entriesForPersons(base: Omit<AccessLogInput, "target">, targets: Target[], fallback: Target): AccessLogInput[] {
  if (targets.length === 0) return [{ ...base, target: fallback }];
  return targets.map((target, i) => (i === 0
    ? { ...base, target }
    : { ...base, target, details: { ...(base.details ?? {}), additionalTarget: true } }));
}

/** Appends the entries inside the caller's transaction; returns the first entry's seq. */
export async function appendForPersons(tx: ConsoleTx, inputs: AccessLogInput[]): Promise<number | null> {
  let first: number | null = null;
  for (const input of inputs) {
    const { seq } = await appendAccessLog(tx, input);
    first ??= seq;
  }
  return first;
}

/** Views and refusals: the entries in one transaction of their own (like recordAccess). */
export async function recordForPersons(requestId: string, base: Omit<AccessLogInput, "target">): Promise<void> {
  const inputs = entriesForPersons(base, await linkedPersonTargets(requestId), { type: "request", ref: requestId });
  await db().$transaction((tx) => appendForPersons(tx, inputs));
}

/** A change to console data and its per-person entries in one transaction (like withAccessLog). */
export async function withPersonLog<T>(
  requestId: string,
  base: Omit<AccessLogInput, "target"> | ((result: T) => Omit<AccessLogInput, "target">),
  change: (tx: ConsoleTx) => Promise<T>,
): Promise<T> {
  return db().$transaction(async (tx) => {
    const result = await change(tx);
    const targets = await linkedPersonTargets(requestId, tx);
    const input = typeof base === "function" ? base(result) : base;
    await appendForPersons(tx, entriesForPersons(input, targets, { type: "request", ref: requestId }));
    return result;
  });
}
