// GDPR Art. 12(3): answer "without undue delay and in any event within one month of receipt";
// extendable "by two further months where necessary", telling the requester "within one month
// of receipt" with the reasons. Dates are calendar dates in UTC (stored as 00:00Z of the day).
// A month runs to the same date in the following month; when that month is shorter, to its
// last day (31 Jan -> 28/29 Feb). A deadline lasts the whole of its day: overdue from the next.

const DAY_MS = 86_400_000;

export const EXTENSION_REASON_MIN = 20;

/** 00:00 UTC of the UTC calendar day that `d` falls on. */
export function startOfUtcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** The same calendar date `months` later, clamped to that month's last day. */
export function addCalendarMonths(d: Date, months: number): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay)));
}

/** One calendar month from receipt. */
export function statutoryDueDate(receivedAt: Date): Date {
  return addCalendarMonths(startOfUtcDay(receivedAt), 1);
}

/** Receipt + three months: the one-month period plus the two-month extension. */
export function extendedDueDate(receivedAt: Date): Date {
  return addCalendarMonths(startOfUtcDay(receivedAt), 3);
}

type Dates = { dueAt: Date; extendedDueAt: Date | null; clockPausedAt?: Date | null };
type OpenDates = Dates & { closedAt: Date | null };

export function effectiveDueDate(r: Dates): Date {
  return r.extendedDueAt ?? r.dueAt;
}

/** The day the clock stands at: today, or the day it was paused (a paused clock does not run). */
function clockDay(r: Dates, now: Date): Date {
  return startOfUtcDay(r.clockPausedAt ?? now);
}

/** Open and past the whole of its effective due day (never while the clock is paused). */
export function isOverdue(r: OpenDates, now: Date): boolean {
  return r.closedAt === null && !r.clockPausedAt && startOfUtcDay(now).getTime() > startOfUtcDay(effectiveDueDate(r)).getTime();
}

/**
 * Whole days from today (UTC) to the effective due date: 0 = due today, negative = overdue.
 * While the clock is paused: the days that were left when it stopped.
 */
export function daysLeft(r: Dates, now: Date): number {
  return Math.round((startOfUtcDay(effectiveDueDate(r)).getTime() - clockDay(r, now).getTime()) / DAY_MS);
}

export type ExtensionCheck = { ok: true; extendedDueAt: Date } | { ok: false; reason: string };

/**
 * Whether the deadline may be extended now. Once only, while open, and decided within the first
 * month (on or before the original due date) because the requester must be told within it.
 */
export function checkExtension(r: OpenDates & { receivedAt: Date; pausedDays?: number }, now: Date): ExtensionCheck {
  if (r.closedAt) return { ok: false, reason: "The request is closed." };
  if (r.extendedDueAt) return { ok: false, reason: "The deadline has already been extended once." };
  if (clockDay(r, now).getTime() > startOfUtcDay(r.dueAt).getTime()) {
    return {
      ok: false,
      reason: "The original one-month deadline has passed: an extension must be decided and communicated within it.",
    };
  }
  // Days already paused move the three months too (dueAt already includes them).
  const paused = r.pausedDays ?? 0;
  return { ok: true, extendedDueAt: new Date(extendedDueDate(r.receivedAt).getTime() + paused * DAY_MS) };
}

/** Parses "YYYY-MM-DD" as a UTC calendar date; null if it is not a real date. */
export function parseCalendarDate(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value ? d : null;
}

export function formatCalendarDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
