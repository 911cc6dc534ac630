import { describe, expect, it } from "vitest";
import { sessionDecision, shouldTouch } from "@/lib/auth/session-validity";
import { clientAddress, UNKNOWN_ADDRESS } from "@/lib/auth/client-address";

const limits = { idleMinutes: 30, maxHours: 12 };
const start = new Date("2026-03-01T08:00:00Z");
const plus = (min: number) => new Date(start.getTime() + min * 60_000);
const session = (o: Partial<{ lastSeenAt: Date; revokedAt: Date | null; expiresAt: Date }> = {}) => ({
  createdAt: start,
  lastSeenAt: o.lastSeenAt ?? start,
  expiresAt: o.expiresAt ?? plus(12 * 60),
  revokedAt: o.revokedAt ?? null,
});
const staff = { disabledAt: null, totpEnrolledAt: start };

describe("sessionDecision", () => {
  it("accepts an active session within both limits", () => {
    expect(sessionDecision(session({ lastSeenAt: plus(100) }), staff, plus(129), limits)).toEqual({ ok: true });
  });
  it("refuses after 30 idle minutes", () => {
    expect(sessionDecision(session({ lastSeenAt: plus(100) }), staff, plus(131), limits)).toEqual({ ok: false, reason: "idle" });
  });
  it("refuses at the absolute limit even when active, and at an earlier expiresAt", () => {
    expect(sessionDecision(session({ lastSeenAt: plus(719) }), staff, plus(720), limits)).toEqual({ ok: false, reason: "expired" });
    expect(sessionDecision(session({ expiresAt: plus(60) }), staff, plus(60), limits)).toEqual({ ok: false, reason: "expired" });
    // A session row promising more than CUSTODIAN_SESSION_MAX_HOURS is still cut at the limit.
    expect(sessionDecision(session({ expiresAt: plus(48 * 60), lastSeenAt: plus(12 * 60) }), staff, plus(12 * 60 + 1), limits)).toMatchObject({ ok: false, reason: "expired" });
  });
  it("refuses revoked, missing, disabled and un-enrolled", () => {
    expect(sessionDecision(session({ revokedAt: plus(1) }), staff, plus(2), limits)).toEqual({ ok: false, reason: "signed-out" });
    expect(sessionDecision(null, null, plus(2), limits)).toEqual({ ok: false, reason: "signed-out" });
    expect(sessionDecision(session(), { ...staff, disabledAt: plus(1) }, plus(2), limits)).toEqual({ ok: false, reason: "disabled" });
    expect(sessionDecision(session(), { ...staff, totpEnrolledAt: null }, plus(2), limits)).toEqual({ ok: false, reason: "signed-out" });
  });
  it("touches lastSeenAt at most once a minute", () => {
    expect(shouldTouch(start, new Date(start.getTime() + 59_000))).toBe(false);
    expect(shouldTouch(start, plus(1))).toBe(true);
  });
});

describe("clientAddress", () => {
  it("uses the last X-Forwarded-For hop only behind a trusted proxy", () => {
    const h = new Headers({ "x-forwarded-for": "6.6.6.6, 10.0.0.5, 192.0.2.7" });
    expect(clientAddress(h, true)).toBe("192.0.2.7");
    expect(clientAddress(h, false)).toBe(UNKNOWN_ADDRESS);
    expect(clientAddress({ "x-forwarded-for": "198.51.100.1" }, true)).toBe("198.51.100.1");
    expect(clientAddress({}, true)).toBe(UNKNOWN_ADDRESS);
  });

  it("without a trusted proxy, takes the single hop next start fills in from the socket", () => {
    expect(clientAddress({ "x-forwarded-for": "127.0.0.1" }, false)).toBe("127.0.0.1");
    expect(clientAddress({}, false)).toBe(UNKNOWN_ADDRESS);
  });
});
