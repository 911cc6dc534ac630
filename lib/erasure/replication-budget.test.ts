import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { expiryOf, REPLICATION_WAIT_MS, ReplicationBudget } from "@/lib/erasure/ops-api";

// A bulk page's replication budget: it runs out when the peers stop receiving, not while a large
// backlog is merely slow, and never past its maximum. The clock is vitest's fake one: the
// expectations are about which moment the budget ends at, computed from the rule, not timed.

beforeEach(() => vi.useFakeTimers({ now: new Date("2026-12-05T12:00:00Z") }));
afterEach(() => vi.useRealTimers());
const tick = (ms: number) => vi.setSystemTime(Date.now() + ms);

describe("ReplicationBudget", () => {
  it("runs out after the initial wait when no push is accepted", () => {
    const b = new ReplicationBudget(60_000, () => 7);
    expect(b.remainingMs()).toBe(60_000);
    tick(59_000);
    expect(b.remainingMs()).toBe(1_000);
    tick(1_000);
    expect(b.remainingMs()).toBe(0);
  });

  it("keeps waiting while the peers' versions advance, then runs out a stall after the last push", () => {
    let version = 100;
    const b = new ReplicationBudget(60_000, () => version, { maxMs: 600_000 });
    b.remainingMs(); // first reading: nothing to compare with
    for (let t = 0; t < 12; t++) {
      tick(10_000);
      version += 100; // one push of 100 rows every 10 s
      expect(b.remainingMs()).toBeGreaterThan(0);
    }
    // 120 s in, past the initial 60 s: the last push was now, so a full stall is left.
    expect(b.remainingMs()).toBe(REPLICATION_WAIT_MS);
    tick(REPLICATION_WAIT_MS - 1_000);
    expect(b.remainingMs()).toBe(1_000);
    tick(1_000);
    expect(b.remainingMs()).toBe(0);
  });

  it("never extends past its maximum, however long the versions move", () => {
    let version = 0;
    const b = new ReplicationBudget(60_000, () => version, { maxMs: 90_000 });
    b.remainingMs();
    let last = 0;
    for (let t = 0; t < 30 && (last = b.remainingMs()) > 0; t++) {
      tick(5_000);
      version++;
    }
    expect(last).toBe(0);
    expect(Date.now() - new Date("2026-12-05T12:00:00Z").getTime()).toBe(90_000);
  });

  it("treats an unreadable progress source as no progress", () => {
    let fail = false;
    let version = 1;
    const b = new ReplicationBudget(30_000, () => {
      if (fail) throw new Error("SQLITE_CANTOPEN");
      return version;
    });
    b.remainingMs();
    fail = true;
    version = 2;
    tick(29_000);
    expect(b.remainingMs()).toBe(1_000);
    tick(1_000);
    expect(b.remainingMs()).toBe(0);
  });
});

describe("expiryOf", () => {
  it("counts a number of milliseconds from when the wait starts, and uses the fallback when none is given", () => {
    const fixed = expiryOf(5_000, 1);
    const fallback = expiryOf(undefined, 2_000);
    tick(1_999);
    expect([fixed(), fallback()]).toEqual([false, false]);
    tick(1);
    expect([fixed(), fallback()]).toEqual([false, true]);
    tick(3_000);
    expect(fixed()).toBe(true);
  });

  it("asks a shared budget each time", () => {
    let left = 10;
    const e = expiryOf(() => left, 1);
    expect(e()).toBe(false);
    left = 0;
    expect(e()).toBe(true);
  });
});
