import { addCalendarMonths, startOfUtcDay } from "@/lib/requests/due-date";

// The legal clock's pauses (GDPR Art. 12(3), EDPB Guidelines 01/2022 on the right of access):
// while the controller waits for the person to prove who they are or to clarify the request, the
// month does not run. A pause keeps the days that were left; resuming adds the paused calendar
// days (UTC) to the deadline, to the extended one too. Pausing and resuming on the same day adds
// nothing. Which states pause the clock is decided here, in one place.

const DAY_MS = 86_400_000;

export const PAUSING_STATES = ["identity_check", "clarification"] as const;
export type PauseReason = (typeof PAUSING_STATES)[number];

export function isPausingState(state: string): state is PauseReason {
  return (PAUSING_STATES as readonly string[]).includes(state);
}

export const PAUSE_LABELS: Record<PauseReason, string> = {
  identity_check: "identity check pending",
  clarification: "clarification pending",
};

/** Whole calendar days (UTC) from the day of `from` to the day of `to` (never negative). */
export function calendarDaysBetween(from: Date, to: Date): number {
  return Math.max(0, Math.round((startOfUtcDay(to).getTime() - startOfUtcDay(from).getTime()) / DAY_MS));
}

export function addDays(d: Date, days: number): Date {
  return new Date(startOfUtcDay(d).getTime() + days * DAY_MS);
}

/** The deadlines after a pause that began at `pausedAt` ends at `now`. */
export function resumeDeadlines(
  r: { dueAt: Date; extendedDueAt: Date | null; pausedDays: number },
  pausedAt: Date,
  now: Date,
): { days: number; dueAt: Date; extendedDueAt: Date | null; pausedDays: number } {
  const days = calendarDaysBetween(pausedAt, now);
  return {
    days,
    dueAt: addDays(r.dueAt, days),
    extendedDueAt: r.extendedDueAt ? addDays(r.extendedDueAt, days) : null,
    pausedDays: r.pausedDays + days,
  };
}

/** Receipt + three months, moved by the days the clock was paused. */
export function extendedDueDateAfterPauses(receivedAt: Date, pausedDays: number): Date {
  return addDays(addCalendarMonths(startOfUtcDay(receivedAt), 3), pausedDays);
}

// Grounds for refusing a request (Art. 12(5) and 12(6)); stored on the request and in the log.
export const REFUSAL_GROUNDS = ["manifestly_unfounded", "excessive", "identity_not_verified", "other"] as const;
export type RefusalGround = (typeof REFUSAL_GROUNDS)[number];

export const REFUSAL_LABELS: Record<RefusalGround, string> = {
  manifestly_unfounded: "Manifestly unfounded (Art. 12(5))",
  excessive: "Excessive, in particular repetitive (Art. 12(5))",
  identity_not_verified: "Identity could not be verified (Art. 12(6))",
  other: "Other lawful ground (see outcome note)",
};

export function isRefusalGround(v: string): v is RefusalGround {
  return (REFUSAL_GROUNDS as readonly string[]).includes(v);
}
