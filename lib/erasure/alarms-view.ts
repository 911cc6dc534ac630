import { db } from "@/lib/db";

// The 30-day clock of phase 2 (privacy notice 3.1.2: "deleted ... within 30 days"), as seen by the
// list page and the dashboard: days left until ErasureJob.phase2DueAt, and an alarm from day 25
// (five days or fewer left) or once overdue. Paused jobs alarm too: a pause stops the clock's work.

export const ALARM_DAYS_LEFT = 5;
const DAY = 86_400_000;
const OPEN_STATES = ["approved", "running", "paused", "phase1_done", "phase2_pending"];

export type Clock = { dueAt: Date | null; daysLeft: number | null; level: "none" | "warn" | "overdue" };

export function phase2Clock(job: { phase2DueAt: Date | null; state: string }, now: Date): Clock {
  if (!job.phase2DueAt || !OPEN_STATES.includes(job.state)) return { dueAt: job.phase2DueAt, daysLeft: null, level: "none" };
  const daysLeft = Math.ceil((job.phase2DueAt.getTime() - now.getTime()) / DAY);
  const level = job.phase2DueAt.getTime() <= now.getTime() ? "overdue" : daysLeft <= ALARM_DAYS_LEFT ? "warn" : "none";
  return { dueAt: job.phase2DueAt, daysLeft, level };
}

/** Counts for the dashboard card (no personal data). */
export async function erasureAlarmCounts(now = new Date()) {
  const soon = new Date(now.getTime() + ALARM_DAYS_LEFT * DAY);
  const [overdue, dueSoon, paused, awaitingApproval] = await Promise.all([
    db().erasureJob.count({ where: { state: { in: OPEN_STATES }, phase2DueAt: { lte: now } } }),
    db().erasureJob.count({ where: { state: { in: OPEN_STATES }, phase2DueAt: { gt: now, lte: soon } } }),
    db().erasureJob.count({ where: { state: "paused" } }),
    db().erasureJob.count({ where: { state: "awaiting_approval" } }),
  ]);
  return { overdue, dueSoon, paused, awaitingApproval };
}
export type ErasureAlarmCounts = Awaited<ReturnType<typeof erasureAlarmCounts>>;
