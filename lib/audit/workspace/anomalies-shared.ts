import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/console/client";

// What every anomaly flag shares (lib/audit/workspace/anomalies.ts): its shape and basis, the
// window, and "one person" = one staff account.

export type FlagKind = "many-subjects" | "outside-hours" | "no-request" | "denied-attempts" | "checkpoint-overdue" | "witnesses-silent" | "witness-failed";

/** What a flag is based on: enough to find the same entries again. */
export type FlagBasis = {
  /** The window, [since, until), ISO UTC. */
  since: string;
  until: string;
  /** Which entries were counted and how. */
  rule: string;
  /** The threshold crossed, in words (null when any occurrence is flagged). */
  threshold: string | null;
  /** The number the flag reports (reveals, people, attempts, entries, hours). */
  count: number;
};

export type Flag = { kind: FlagKind; severity: "warning" | "alert"; summary: string; seqs: number[]; basis: FlagBasis };

export const THRESHOLDS = { subjectsPerActorPerDay: 20, deniedPerActor: 5, checkpointOverdueHours: 24 } as const;

export const SEQS_SHOWN = 50;

export type Window = { since: Date; until: Date };
export type Where = Prisma.AccessLogEntryWhereInput;

export const inWindow = (w: Window): Where => ({ at: { gte: w.since, lt: w.until } });
export const basis = (w: Window, rule: string, threshold: string | null, count: number): FlagBasis => ({ since: w.since.toISOString(), until: w.until.toISOString(), rule, threshold, count });
export const windowText = (w: Window) => `${w.since.toISOString().slice(0, 16)}Z to ${w.until.toISOString().slice(0, 16)}Z`;

/** One person: a staff account (all its labels), or a label for entries without one. */
export type ActorGroup = { actorId: string | null; labels: string[]; count: number };

export function actorGroups(rows: { actorId: string | null; actorLabel: string; _count: { _all: number } }[]): ActorGroup[] {
  const by = new Map<string, ActorGroup>();
  for (const r of rows) {
    const key = r.actorId ? `id:${r.actorId}` : `label:${r.actorLabel}`;
    const g = by.get(key) ?? { actorId: r.actorId, labels: [], count: 0 };
    if (!g.labels.includes(r.actorLabel)) g.labels.push(r.actorLabel);
    g.count += r._count._all;
    by.set(key, g);
  }
  // The e-mail before "cli:<e-mail>", then alphabetical: stable names in summaries.
  for (const g of by.values()) g.labels.sort((a, b) => Number(a.startsWith("cli:")) - Number(b.startsWith("cli:")) || a.localeCompare(b));
  return [...by.values()].sort((a, b) => b.count - a.count || a.labels[0].localeCompare(b.labels[0]));
}
/** The entries matching `where`, counted per person. */
export async function byActor(where: Where): Promise<ActorGroup[]> {
  const rows = await db().accessLogEntry.groupBy({ by: ["actorId", "actorLabel"], where, _count: { _all: true } });
  return actorGroups(rows);
}

export const actorWhere = (g: ActorGroup): Where => (g.actorId ? { actorId: g.actorId } : { actorId: null, actorLabel: g.labels[0] });
export const actorName = (g: ActorGroup) => g.labels.join(" / ");
export const actorRule = (g: ActorGroup) => (g.actorId ? `actorId ${g.actorId}` : `actorId null and actorLabel ${g.labels[0]}`);

export async function firstSeqs(where: Where): Promise<number[]> {
  return (await db().accessLogEntry.findMany({ where, select: { seq: true }, orderBy: { seq: "asc" }, take: SEQS_SHOWN })).map((r) => r.seq);
}

