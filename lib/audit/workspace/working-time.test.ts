import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import {
  describeWorkingTime, isWorkingTime, localDays, parseWorkingDays, parseWorkingHours, parseWorkingTime, workingIntervals,
} from "@/lib/audit/workspace/working-time";

// Working time for the anomaly flags: parsed with clear errors, and turned into UTC intervals by
// Intl (daylight saving time, half-hour zones), not by offset arithmetic.

const base = { NEXTAUTH_SECRET: "x".repeat(32), CUSTODIAN_MASTER_KEY: "0".repeat(64) } as unknown as NodeJS.ProcessEnv;
const iso = (d: { start: Date; end: Date }) => [d.start.toISOString(), d.end.toISOString()];

describe("working time configuration", () => {
  it("defaults to Mon-Fri 07:00-19:00 UTC, the behaviour before it was configurable", () => {
    const w = parseEnv(base).workingTime;
    expect(w).toEqual({ timeZone: "UTC", days: [1, 2, 3, 4, 5], startMinute: 420, endMinute: 1140 });
    expect(describeWorkingTime(w)).toBe("Mon-Fri 07:00-19:00 UTC");
  });

  it("reads zone, hours and days from the environment", () => {
    const w = parseEnv({ ...base, CUSTODIAN_WORKING_TIMEZONE: "Asia/Jerusalem", CUSTODIAN_WORKING_HOURS: "08:30-17:15", CUSTODIAN_WORKING_DAYS: "sun-thu" }).workingTime;
    expect(describeWorkingTime(w)).toBe("Sun-Thu 08:30-17:15 Asia/Jerusalem");
    expect(describeWorkingTime(parseWorkingTime({ days: "mon,wed" }))).toBe("Mon,Wed 07:00-19:00 UTC");
    expect(w.days).toEqual([0, 1, 2, 3, 4]);
  });

  it("refuses a bad value naming the variable once, with the fix", () => {
    expect(() => parseEnv({ ...base, CUSTODIAN_WORKING_TIMEZONE: "Mars/Olympus" })).toThrow(
      /CUSTODIAN_WORKING_TIMEZONE: "Mars\/Olympus" is not a time zone this server knows; use an IANA name such as Europe\/Berlin/,
    );
    expect(() => parseEnv({ ...base, CUSTODIAN_WORKING_HOURS: "19:00-07:00" })).toThrow(/CUSTODIAN_WORKING_HOURS: "19:00-07:00" does not start before it ends/);
    expect(() => parseEnv({ ...base, CUSTODIAN_WORKING_DAYS: "mon-fry" })).toThrow(/CUSTODIAN_WORKING_DAYS: "fry" in "mon-fry" is not a day/);
    expect(() => parseEnv({ ...base, CUSTODIAN_WITNESS_MAX_AGE_HOURS: "0" })).toThrow(/CUSTODIAN_WITNESS_MAX_AGE_HOURS: expected a positive number of hours/);
    for (const bad of ["7-19", "07:00-25:00", "09:10-17:00", "24:00-24:00"]) expect(() => parseWorkingHours(bad)).toThrow(/CUSTODIAN_WORKING_HOURS/);
    expect(() => parseWorkingDays("mon-tue-wed")).toThrow(/CUSTODIAN_WORKING_DAYS/);
    expect(() => parseWorkingDays(" , ")).toThrow(/names no day/);
  });

  it("days: ranges, ranges across Sunday, lists", () => {
    expect(parseWorkingDays("mon-fri")).toEqual([1, 2, 3, 4, 5]);
    expect(parseWorkingDays("fri-mon")).toEqual([0, 1, 5, 6]);
    expect(parseWorkingDays("Mon, wed,FRI")).toEqual([1, 3, 5]);
    expect(parseWorkingHours("00:00-24:00")).toEqual({ startMinute: 0, endMinute: 1440 });
  });
});

describe("working time as UTC intervals", () => {
  const berlin = parseWorkingTime({ timeZone: "Europe/Berlin", hours: "09:00-17:00" });

  it("follows the zone's daylight saving time", () => {
    // Winter (UTC+1): 07:30 UTC is 08:30 in Berlin, before work, though inside the UTC default.
    expect(isWorkingTime(berlin, new Date("2026-12-02T07:30:00Z"))).toBe(false);
    expect(isWorkingTime(parseWorkingTime({}), new Date("2026-12-02T07:30:00Z"))).toBe(true);
    expect(isWorkingTime(berlin, new Date("2026-12-02T08:30:00Z"))).toBe(true); // 09:30
    expect(isWorkingTime(berlin, new Date("2026-12-02T16:00:00Z"))).toBe(false); // 17:00
    // Summer (UTC+2): 15:30 UTC is 17:30, after work; 07:30 UTC is 09:30.
    expect(isWorkingTime(berlin, new Date("2026-07-01T15:30:00Z"))).toBe(false);
    expect(isWorkingTime(berlin, new Date("2026-07-01T07:30:00Z"))).toBe(true);
    // A Saturday.
    expect(isWorkingTime(berlin, new Date("2026-12-05T10:00:00Z"))).toBe(false);

    const week = workingIntervals(berlin, new Date("2026-10-23T00:00:00Z"), new Date("2026-10-31T00:00:00Z"));
    expect(week.map(iso)).toEqual([
      ["2026-10-23T07:00:00.000Z", "2026-10-23T15:00:00.000Z"], // Friday, summer time
      ["2026-10-26T08:00:00.000Z", "2026-10-26T16:00:00.000Z"], // Monday after the clocks went back
      ["2026-10-27T08:00:00.000Z", "2026-10-27T16:00:00.000Z"],
      ["2026-10-28T08:00:00.000Z", "2026-10-28T16:00:00.000Z"],
      ["2026-10-29T08:00:00.000Z", "2026-10-29T16:00:00.000Z"],
      ["2026-10-30T08:00:00.000Z", "2026-10-30T16:00:00.000Z"],
    ]);
  });

  it("half-hour zones and windows that start or end inside working time", () => {
    const kolkata = parseWorkingTime({ timeZone: "Asia/Kolkata", hours: "09:00-17:00" });
    expect(workingIntervals(kolkata, new Date("2026-12-02T05:00:00Z"), new Date("2026-12-02T10:07:00Z")).map(iso)).toEqual([
      ["2026-12-02T05:00:00.000Z", "2026-12-02T10:07:00.000Z"],
    ]);
    expect(workingIntervals(kolkata, new Date("2026-12-02T00:00:00Z"), new Date("2026-12-03T00:00:00Z")).map(iso)).toEqual([
      ["2026-12-02T03:30:00.000Z", "2026-12-02T11:30:00.000Z"],
    ]);
  });

  it("local days: a 25-hour day when the clocks go back, clipped to the window", () => {
    const days = localDays("Europe/Berlin", new Date("2026-10-24T12:00:00Z"), new Date("2026-10-26T12:00:00Z"));
    expect(days.map((d) => [d.day, ...iso(d)])).toEqual([
      ["2026-10-24", "2026-10-24T12:00:00.000Z", "2026-10-24T22:00:00.000Z"],
      ["2026-10-25", "2026-10-24T22:00:00.000Z", "2026-10-25T23:00:00.000Z"],
      ["2026-10-26", "2026-10-25T23:00:00.000Z", "2026-10-26T12:00:00.000Z"],
    ]);
  });
});
