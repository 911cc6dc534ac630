import { db } from "@/lib/db";
import { env } from "@/lib/env";

// Anomaly flags for the auditor's workspace, over a window of the log (default: the last 30
// days). Each flag names what it saw, with counts and seqs, never identifiers. Thresholds are
// deliberately simple and shown with each flag.

export type Flag = { kind: string; severity: "warning" | "alert"; summary: string; seqs: number[] };

export const THRESHOLDS = { subjectsPerActorPerDay: 20, deniedPerActor: 5, workStartHourUtc: 7, workEndHourUtc: 19, checkpointOverdueHours: 24 };

const REVEAL = "subject.reveal";

export async function anomalyFlags(opts: { since?: Date; now?: Date } = {}): Promise<Flag[]> {
  const now = opts.now ?? new Date();
  const since = opts.since ?? new Date(now.getTime() - 30 * 86_400_000);
  const flags: Flag[] = [];
  const reveals = await db().accessLogEntry.findMany({
    where: { action: REVEAL, outcome: "ok", at: { gte: since } },
    select: { seq: true, at: true, actorLabel: true, targetPseudonym: true, requestId: true },
    orderBy: { seq: "asc" },
    take: 50_000,
  });

  // One person revealing many subjects in a day.
  const perDay = new Map<string, { subjects: Set<string>; seqs: number[] }>();
  for (const r of reveals) {
    const key = `${r.actorLabel}\0${r.at.toISOString().slice(0, 10)}`;
    const v = perDay.get(key) ?? { subjects: new Set(), seqs: [] };
    if (r.targetPseudonym) v.subjects.add(r.targetPseudonym);
    v.seqs.push(r.seq);
    perDay.set(key, v);
  }
  for (const [key, v] of perDay) {
    if (v.subjects.size > THRESHOLDS.subjectsPerActorPerDay) {
      const [actor, day] = key.split("\0");
      flags.push({ kind: "many-subjects", severity: "alert", summary: `${actor} revealed ${v.subjects.size} different people on ${day} (more than ${THRESHOLDS.subjectsPerActorPerDay})`, seqs: v.seqs.slice(0, 50) });
    }
  }

  const outside = reveals.filter((r) => {
    const h = r.at.getUTCHours();
    const d = r.at.getUTCDay();
    return d === 0 || d === 6 || h < THRESHOLDS.workStartHourUtc || h >= THRESHOLDS.workEndHourUtc;
  });
  if (outside.length) {
    flags.push({ kind: "outside-hours", severity: "warning", summary: `${outside.length} reveal(s) outside working hours (weekdays ${THRESHOLDS.workStartHourUtc}:00-${THRESHOLDS.workEndHourUtc}:00 UTC)`, seqs: outside.slice(0, 50).map((r) => r.seq) });
  }

  const unlinked = reveals.filter((r) => !r.requestId);
  if (unlinked.length) {
    flags.push({ kind: "no-request", severity: "warning", summary: `${unlinked.length} reveal(s) without a linked request (a stated purpose only)`, seqs: unlinked.slice(0, 50).map((r) => r.seq) });
  }

  const denied = await db().accessLogEntry.groupBy({ by: ["actorLabel"], where: { outcome: "denied", at: { gte: since } }, _count: { _all: true } });
  for (const d of denied) {
    if (d._count._all >= THRESHOLDS.deniedPerActor) {
      const seqs = await db().accessLogEntry.findMany({ where: { outcome: "denied", actorLabel: d.actorLabel, at: { gte: since } }, select: { seq: true }, orderBy: { seq: "asc" }, take: 50 });
      flags.push({ kind: "denied-attempts", severity: "alert", summary: `${d.actorLabel}: ${d._count._all} denied attempts`, seqs: seqs.map((s) => s.seq) });
    }
  }

  const head = await db().accessLogHead.findUnique({ where: { id: 1 } });
  const last = await db().accessLogCheckpoint.findFirst({ orderBy: { seq: "desc" } });
  const overdueMs = THRESHOLDS.checkpointOverdueHours * 3_600_000;
  if (head && head.seq > (last?.seq ?? 0) && (!last || now.getTime() - last.sealedAt.getTime() > overdueMs)) {
    flags.push({ kind: "checkpoint-overdue", severity: "alert", summary: last ? `no tree head sealed since ${last.sealedAt.toISOString()} while ${head.seq - last.seq} entries were added` : `${head.seq} entries and no tree head at all`, seqs: [] });
  }

  // Witnesses run outside the console; the console sees the publish directory only.
  const pub = env().CUSTODIAN_STH_PUBLISH_DIR;
  if (!pub) {
    flags.push({ kind: "witnesses-silent", severity: "warning", summary: "no publish directory configured (CUSTODIAN_STH_PUBLISH_DIR): the console cannot tell whether heads leave it; check your witnesses' folders (audit:verify --witness-dir warns when they are silent)", seqs: [] });
  }
  return flags;
}
