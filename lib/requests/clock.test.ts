import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { calendarDaysBetween, extendedDueDateAfterPauses, resumeDeadlines } from "@/lib/requests/clock";
import { daysLeft, isOverdue } from "@/lib/requests/due-date";
import { getRequestTimeline } from "@/lib/requests/queries";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import { changeRequestState, closeRequestRecord, extendRequestDeadline } from "@/lib/requests/update-request";
import { useTestConsoleDb } from "@/lib/test/console-db";

useTestConsoleDb();

const d = (s: string) => new Date(s.length === 10 ? `${s}T00:00:00.000Z` : s);
const day = (x: Date | null | undefined) => x?.toISOString().slice(0, 10);

describe("the legal clock's arithmetic", () => {
  it.each([
    // paused, resumed, days added: calendar days in UTC, across month ends and leap days
    ["2025-01-30", "2025-02-02", 3],
    ["2024-02-28", "2024-03-01", 2], // 29 Feb 2024 exists
    ["2025-02-28", "2025-03-01", 1], // 2025 has no 29 Feb
    ["2025-12-31", "2026-01-02", 2],
    ["2025-03-10T23:59:00.000Z", "2025-03-11T00:01:00.000Z", 1], // two minutes, but another UTC day
    ["2025-03-10T00:01:00.000Z", "2025-03-10T23:59:00.000Z", 0], // same UTC day: nothing added
  ])("paused %s, resumed %s: %i day(s)", (paused, resumed, days) => {
    expect(calendarDaysBetween(d(paused), d(resumed))).toBe(days);
  });

  it("keeps the days that were left: resuming moves both deadlines by the paused days", () => {
    const moved = resumeDeadlines({ dueAt: d("2024-02-29"), extendedDueAt: d("2024-04-29"), pausedDays: 2 }, d("2024-02-20"), d("2024-03-05"));
    expect(moved).toMatchObject({ days: 14, pausedDays: 16 });
    expect(day(moved.dueAt)).toBe("2024-03-14");
    expect(day(moved.extendedDueAt)).toBe("2024-05-13");
    expect(day(extendedDueDateAfterPauses(d("2024-01-31"), 0))).toBe("2024-04-30");
    expect(day(extendedDueDateAfterPauses(d("2024-01-31"), 16))).toBe("2024-05-16");
  });

  it("a paused clock is never overdue and its days left stay frozen", () => {
    const r = { dueAt: d("2025-03-10"), extendedDueAt: null, closedAt: null, clockPausedAt: d("2025-03-01") };
    expect(daysLeft(r, d("2025-06-01"))).toBe(9);
    expect(isOverdue(r, d("2025-06-01"))).toBe(false);
    expect(isOverdue({ ...r, clockPausedAt: null }, d("2025-06-01"))).toBe(true);
  });
});

describe("pausing and resuming a request's clock", () => {
  it("pauses for an identity check and a clarification, resumes with the days left, and logs each", async () => {
    const dpo = await seedStaff("dpo");
    const r = await seedRequest({ createdById: dpo.id, receivedAt: d("2024-01-31") }); // due 29 Feb 2024
    expect(day((await db().request.findUniqueOrThrow({ where: { id: r.id } })).dueAt)).toBe("2024-02-29");

    expect(await changeRequestState(dpo.actor, r.id, "identity_check", d("2024-02-10"))).toEqual({ ok: true });
    let row = await db().request.findUniqueOrThrow({ where: { id: r.id } });
    expect(day(row.clockPausedAt)).toBe("2024-02-10");
    expect(daysLeft(row, d("2024-04-01"))).toBe(19); // frozen: 10 Feb to 29 Feb
    expect(isOverdue(row, d("2024-04-01"))).toBe(false);

    // Moving from one pausing state to the other keeps one pause running but records the reason.
    expect(await changeRequestState(dpo.actor, r.id, "clarification", d("2024-02-15"))).toEqual({ ok: true });
    expect(await changeRequestState(dpo.actor, r.id, "in_progress", d("2024-03-01"))).toEqual({ ok: true });
    row = await db().request.findUniqueOrThrow({ where: { id: r.id } });
    // 5 days (identity check) + 15 days (clarification, 15 Feb to 1 Mar 2024) = 20 days.
    expect(row.pausedDays).toBe(20);
    expect(day(row.dueAt)).toBe("2024-03-20");
    expect(row.clockPausedAt).toBeNull();
    expect(daysLeft(row, d("2024-03-01"))).toBe(19); // the 19 days that were left

    // The extension is still possible within the (moved) first month, and moves by the pauses too.
    expect(await extendRequestDeadline(dpo.actor, r.id, "Two servers and a year of rotated logs to search.", d("2024-03-15"))).toEqual({ ok: true });
    row = await db().request.findUniqueOrThrow({ where: { id: r.id } });
    expect(day(row.extendedDueAt)).toBe("2024-05-20"); // 30 Apr + 20 days

    const pauses = await db().requestClockPause.findMany({ where: { requestId: r.id }, orderBy: { pausedAt: "asc" } });
    expect(pauses.map((p) => [p.reason, day(p.pausedAt), day(p.resumedAt), p.days])).toEqual([
      ["identity_check", "2024-02-10", "2024-02-15", 5],
      ["clarification", "2024-02-15", "2024-03-01", 15],
    ]);
    const timeline = (await getRequestTimeline(r.id)).map((e) => e.action);
    expect(timeline).toEqual([
      "request.state.change", "request.clock.pause",
      "request.state.change", "request.clock.resume", "request.clock.pause",
      "request.state.change", "request.clock.resume",
      "request.extend",
    ]);
  });

  it("closing while paused ends the pause without moving the deadline", async () => {
    const dpo = await seedStaff("dpo");
    const r = await seedRequest({ createdById: dpo.id, receivedAt: d("2025-05-01") });
    await changeRequestState(dpo.actor, r.id, "identity_check", d("2025-05-02"));
    expect(await closeRequestRecord(dpo.actor, r.id, "withdrawn", "The requester withdrew by e-mail.", d("2025-05-20"))).toEqual({ ok: true });
    const row = await db().request.findUniqueOrThrow({ where: { id: r.id } });
    expect(row).toMatchObject({ clockPausedAt: null, pausedDays: 0, state: "withdrawn" });
    expect(day(row.dueAt)).toBe("2025-06-01");
    const pause = await db().requestClockPause.findFirstOrThrow({ where: { requestId: r.id } });
    expect(pause).toMatchObject({ days: 0 });
    expect(day(pause.resumedAt)).toBe("2025-05-20");
  });

  it("refuses a rejection without a ground, and records the ground of a refusal", async () => {
    const dpo = await seedStaff("dpo");
    const r = await seedRequest({ createdById: dpo.id, receivedAt: d("2025-05-01") });
    const refused = await closeRequestRecord(dpo.actor, r.id, "rejected", "The fifth identical request this month.", d("2025-05-03"));
    expect(refused).toMatchObject({ ok: false, message: expect.stringMatching(/ground/) });
    expect((await db().request.findUniqueOrThrow({ where: { id: r.id } })).closedAt).toBeNull();
    expect(await closeRequestRecord(dpo.actor, r.id, "rejected", "The fifth identical request this month.", d("2025-05-03"), "excessive")).toEqual({ ok: true });
    expect(await db().request.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({ state: "rejected", refusalGround: "excessive" });
    const [entry] = await getRequestTimeline(r.id);
    expect(entry.details).toEqual({ from: "received", to: "rejected", refusalGround: "excessive" });
  });
});
