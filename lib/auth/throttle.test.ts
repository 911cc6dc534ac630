import { describe, expect, it } from "vitest";
import { combineThrottle, throttleDecision, throttleMessage, type AttemptRow } from "@/lib/auth/throttle";

const t0 = new Date("2026-03-01T10:00:00Z").getTime();
const at = (min: number, success = false): AttemptRow => ({ success, createdAt: new Date(t0 + min * 60_000) });
const now = (min: number) => new Date(t0 + min * 60_000);

describe("throttleDecision", () => {
  it("four failures do not throttle; the fifth within 15 minutes does, for 15 minutes", () => {
    const four = [at(0), at(1), at(2), at(3)];
    expect(throttleDecision(four, now(4), true)).toEqual({ throttled: false });
    const five = [...four, at(4)];
    const d = throttleDecision(five, now(4), true);
    expect(d).toMatchObject({ throttled: true, minutesLeft: 15 });
    expect(d.throttled && d.until.toISOString()).toBe(now(19).toISOString());
    expect(throttleDecision(five, now(18.5), true)).toMatchObject({ throttled: true, minutesLeft: 1 });
    expect(throttleDecision(five, now(19), true)).toEqual({ throttled: false });
  });

  it("failures spread over more than 15 minutes do not throttle", () => {
    expect(throttleDecision([at(0), at(4), at(8), at(12), at(16)], now(16), true)).toEqual({ throttled: false });
  });

  it("attempts refused during a throttle do not extend it", () => {
    const rows = [at(0), at(1), at(2), at(3), at(4), at(5), at(10), at(18)];
    expect(throttleDecision(rows, now(18), true)).toMatchObject({ throttled: true, minutesLeft: 1 });
    expect(throttleDecision(rows, now(19), true)).toEqual({ throttled: false });
  });

  it("a success resets an account's count but not an address's", () => {
    const rows = [at(0), at(1), at(2), at(3), at(3.5, true), at(4)];
    expect(throttleDecision(rows, now(4), true)).toEqual({ throttled: false });
    expect(throttleDecision(rows, now(4), false)).toMatchObject({ throttled: true });
  });

  it("combines account and address by the later end; message names the minutes", () => {
    const a = throttleDecision([0, 1, 2, 3, 4].map((m) => at(m)), now(5), true);
    const b = throttleDecision([2, 3, 4, 5, 6].map((m) => at(m)), now(6), false);
    expect(combineThrottle(a, b)).toBe(b);
    expect(combineThrottle({ throttled: false }, a)).toBe(a);
    expect(throttleMessage(12)).toBe("Too many failed sign-in attempts; try again in 12 minutes.");
    expect(throttleMessage(1)).toBe("Too many failed sign-in attempts; try again in 1 minute.");
  });
});
