// Sign-in throttling, decided by a pure function over recent LoginAttempt rows so it can be
// tested with a clock. Five failures within 15 minutes throttle the key (an account, or a client
// address) for 15 minutes from the fifth failure. Attempts refused *because* of a throttle are
// recorded as failures too (LoginAttempt has only `success`), so the replay below recognises them
// (they fall inside a throttle period it has already derived) and does not count them again:
// a throttle therefore ends when it said it would.

export const THROTTLE_MAX_FAILURES = 5;
export const THROTTLE_WINDOW_MS = 15 * 60_000;
export const THROTTLE_DURATION_MS = 15 * 60_000;
/** How far back callers must load attempts: a window plus a throttle period. */
export const THROTTLE_LOOKBACK_MS = THROTTLE_WINDOW_MS + THROTTLE_DURATION_MS;

export type AttemptRow = { success: boolean; createdAt: Date };
export type ThrottleDecision = { throttled: false } | { throttled: true; until: Date; minutesLeft: number };

/**
 * @param resetOnSuccess an account's failures are forgotten after it signs in; an address's are
 *   not (one valid account must not reset the count for guessing others).
 */
export function throttleDecision(attempts: AttemptRow[], now: Date, resetOnSuccess: boolean): ThrottleDecision {
  const sorted = [...attempts].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  let failures: number[] = [];
  let until = 0;
  for (const a of sorted) {
    const t = a.createdAt.getTime();
    if (t > now.getTime()) continue;
    if (t < until) continue; // refused by a throttle: not a guess at the credentials
    if (a.success) {
      if (resetOnSuccess) failures = [];
      continue;
    }
    failures = failures.filter((f) => f > t - THROTTLE_WINDOW_MS);
    failures.push(t);
    if (failures.length >= THROTTLE_MAX_FAILURES) {
      until = t + THROTTLE_DURATION_MS;
      failures = [];
    }
  }
  if (until <= now.getTime()) return { throttled: false };
  return { throttled: true, until: new Date(until), minutesLeft: Math.max(1, Math.ceil((until - now.getTime()) / 60_000)) };
}

export function throttleMessage(minutesLeft: number): string {
  return `Too many failed sign-in attempts; try again in ${minutesLeft} minute${minutesLeft === 1 ? "" : "s"}.`;
}

/** The longer of two decisions (account and address). */
export function combineThrottle(a: ThrottleDecision, b: ThrottleDecision): ThrottleDecision {
  if (!a.throttled) return b;
  if (!b.throttled) return a;
  return a.until >= b.until ? a : b;
}
