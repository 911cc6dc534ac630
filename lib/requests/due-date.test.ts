import { describe, expect, it } from "vitest";
import {
  addCalendarMonths,
  checkExtension,
  daysLeft,
  extendedDueDate,
  isOverdue,
  parseCalendarDate,
  statutoryDueDate,
} from "@/lib/requests/due-date";

const d = (s: string) => new Date(`${s}T00:00:00.000Z`);
const day = (x: Date) => x.toISOString().slice(0, 10);

describe("statutory due date: one calendar month, end-of-month rule", () => {
  it.each([
    ["2025-01-15", "2025-02-15"],
    ["2025-01-28", "2025-02-28"],
    ["2025-01-29", "2025-02-28"],
    ["2025-01-30", "2025-02-28"],
    ["2025-01-31", "2025-02-28"],
    ["2024-01-29", "2024-02-29"], // leap year
    ["2024-01-31", "2024-02-29"],
    ["2024-02-29", "2024-03-29"],
    ["2025-02-28", "2025-03-28"],
    ["2025-03-31", "2025-04-30"],
    ["2025-04-30", "2025-05-30"],
    ["2025-05-31", "2025-06-30"],
    ["2025-08-31", "2025-09-30"],
    ["2025-12-01", "2026-01-01"], // year roll
    ["2025-12-31", "2026-01-31"],
    ["2100-01-31", "2100-02-28"], // 2100 is not a leap year
    ["2000-01-31", "2000-02-29"], // 2000 is
  ])("received %s -> due %s", (received, due) => {
    expect(day(statutoryDueDate(d(received)))).toBe(due);
  });

  it("uses the UTC calendar date of the receipt, ignoring the time of day", () => {
    expect(day(statutoryDueDate(new Date("2025-01-31T23:59:59.999Z")))).toBe("2025-02-28");
    expect(day(statutoryDueDate(new Date("2025-03-01T00:00:00.000Z")))).toBe("2025-04-01");
    // 00:30 in Berlin on 1 March is still 28 February in UTC.
    expect(day(statutoryDueDate(new Date("2025-03-01T00:30:00+01:00")))).toBe("2025-03-28");
  });

  it("addCalendarMonths rolls over years in both directions of size", () => {
    expect(day(addCalendarMonths(d("2025-11-30"), 3))).toBe("2026-02-28");
    expect(day(addCalendarMonths(d("2023-11-30"), 3))).toBe("2024-02-29");
    expect(day(addCalendarMonths(d("2025-10-31"), 14))).toBe("2026-12-31");
  });
});

describe("extended due date: receipt + three months by the same rule", () => {
  it.each([
    ["2025-01-15", "2025-04-15"],
    ["2025-01-31", "2025-04-30"], // not due (28 Feb) + 2 months = 28 Apr
    ["2025-11-30", "2026-02-28"],
    ["2023-11-30", "2024-02-29"],
    ["2025-10-31", "2026-01-31"],
    ["2025-12-31", "2026-03-31"],
  ])("received %s -> extended to %s", (received, due) => {
    expect(day(extendedDueDate(d(received)))).toBe(due);
  });
});

describe("overdue and days left", () => {
  const open = { dueAt: d("2025-02-28"), extendedDueAt: null, closedAt: null };

  it("is not overdue during the whole due day, and is from the next day", () => {
    expect(isOverdue(open, new Date("2025-02-27T12:00:00Z"))).toBe(false);
    expect(isOverdue(open, new Date("2025-02-28T23:59:59Z"))).toBe(false);
    expect(isOverdue(open, new Date("2025-03-01T00:00:00Z"))).toBe(true);
  });

  it("a closed request is never overdue", () => {
    expect(isOverdue({ ...open, closedAt: d("2025-03-10") }, d("2025-04-01"))).toBe(false);
  });

  it("uses the extended date when there is one", () => {
    const ext = { ...open, extendedDueAt: d("2025-04-30") };
    expect(isOverdue(ext, d("2025-03-15"))).toBe(false);
    expect(isOverdue(ext, d("2025-05-01"))).toBe(true);
    expect(daysLeft(ext, d("2025-04-28"))).toBe(2);
  });

  it("counts whole calendar days", () => {
    expect(daysLeft(open, new Date("2025-02-28T23:00:00Z"))).toBe(0);
    expect(daysLeft(open, new Date("2025-02-26T01:00:00Z"))).toBe(2);
    expect(daysLeft(open, new Date("2025-03-03T10:00:00Z"))).toBe(-3);
  });
});

describe("checkExtension", () => {
  const base = { receivedAt: d("2025-01-31"), dueAt: d("2025-02-28"), extendedDueAt: null, closedAt: null };

  it("allows one extension within the first month, to receipt + 3 months", () => {
    const r = checkExtension(base, new Date("2025-02-28T22:00:00Z"));
    expect(r).toEqual({ ok: true, extendedDueAt: d("2025-04-30") });
  });

  it("refuses after the original deadline passed", () => {
    const r = checkExtension(base, d("2025-03-01"));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/passed/);
  });

  it("refuses a second extension and closed requests", () => {
    expect(checkExtension({ ...base, extendedDueAt: d("2025-04-30") }, d("2025-02-10")).ok).toBe(false);
    expect(checkExtension({ ...base, closedAt: d("2025-02-05") }, d("2025-02-10")).ok).toBe(false);
  });
});

describe("parseCalendarDate", () => {
  it("accepts real dates only", () => {
    expect(parseCalendarDate("2024-02-29")?.toISOString()).toBe("2024-02-29T00:00:00.000Z");
    expect(parseCalendarDate("2025-02-29")).toBeNull();
    expect(parseCalendarDate("2025-13-01")).toBeNull();
    expect(parseCalendarDate("25-01-01")).toBeNull();
    expect(parseCalendarDate("")).toBeNull();
  });
});
