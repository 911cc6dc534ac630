import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createRequestRecord } from "@/lib/requests/create-request";
import { getRequest, getRequestTimeline, WITHHELD } from "@/lib/requests/queries";
import { createRequestSchema, extendDeadlineSchema } from "@/lib/requests/schemas";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import {
  assignRequestRecord,
  changeRequestState,
  closeRequestRecord,
  extendRequestDeadline,
} from "@/lib/requests/update-request";
import { useTestConsoleDb } from "@/lib/test/console-db";

useTestConsoleDb();

const d = (s: string) => new Date(`${s}T00:00:00.000Z`);
const intake = createRequestSchema.parse({
  type: "erasure",
  requesterName: "Bob Jones",
  requesterContact: "+44 7700 900123",
  channel: "web_form",
  identificationMethod: "bound_number_sms",
  receivedAt: "2025-01-31",
});

describe("request changes and the timeline", () => {
  it("records every change in the access log and lists them in order", async () => {
    const dpo = await seedStaff("dpo");
    const support = await seedStaff("support");
    const { id } = await createRequestRecord(support.actor, intake, d("2025-02-01"));
    const other = await createRequestRecord(support.actor, intake, d("2025-02-01"));

    expect(await assignRequestRecord(support.actor, id, dpo.id)).toEqual({ ok: true });
    expect(await changeRequestState(dpo.actor, id, "identity_check", d("2025-02-05"))).toEqual({ ok: true });
    expect(await changeRequestState(dpo.actor, other.id, "in_progress")).toEqual({ ok: true });
    // The identity check paused the clock for 7 days (5th to 12th): the deadline moves from 28 Feb to 7 Mar.
    expect(await changeRequestState(dpo.actor, id, "in_progress", d("2025-02-12"))).toEqual({ ok: true });
    const reason = "Both replicated servers must be searched and the logs reviewed.";
    expect(await extendRequestDeadline(dpo.actor, id, reason, d("2025-02-20"))).toEqual({ ok: true });
    expect(await closeRequestRecord(dpo.actor, id, "completed", "Erased on both servers; receipt sent.", d("2025-03-02"))).toEqual({ ok: true });

    const row = await db().request.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ state: "completed", assigneeId: dpo.id, extensionReason: reason, outcome: "Erased on both servers; receipt sent." });
    expect(row.dueAt.toISOString()).toBe("2025-03-07T00:00:00.000Z");
    expect(row.pausedDays).toBe(7);
    // Three months from receipt (30 Apr), moved by the 7 paused days.
    expect(row.extendedDueAt?.toISOString()).toBe("2025-05-07T00:00:00.000Z");
    expect(row.closedAt?.toISOString()).toBe("2025-03-02T00:00:00.000Z");

    const timeline = await getRequestTimeline(id);
    expect(timeline.map((e) => e.action)).toEqual([
      "request.create", "request.assign", "request.state.change", "request.clock.pause", "request.state.change",
      "request.clock.resume", "request.extend", "request.close",
    ]);
    expect(timeline.map((e) => e.actorLabel)).toEqual([support.email, support.email, ...Array(6).fill(dpo.email)]);
    for (let i = 1; i < timeline.length; i++) expect(timeline[i].seq).toBeGreaterThan(timeline[i - 1].seq);
    expect(timeline[2].details).toEqual({ from: "received", to: "identity_check" });
    expect(timeline[3].details).toEqual({ reason: "identity_check" });
    expect(timeline[5].details).toMatchObject({ reason: "identity_check", pausedDays: 7, dueAt: "2025-03-07T00:00:00.000Z" });
    expect(timeline[6]).toMatchObject({ purpose: reason, outcome: "ok" });
    expect(JSON.stringify(timeline)).not.toMatch(/Bob|7700|Erased/);

    // Auditors (no requests.viewPersonal) never receive the extension's free-text reason.
    const auditor = await seedStaff("auditor");
    const asAuditor = { id: auditor.id, role: auditor.role };
    expect((await getRequest(id, asAuditor))?.extensionReason).toBe(WITHHELD);
    expect((await getRequest(id, { id: dpo.id, role: dpo.role }))?.extensionReason).toBe(reason);
    const audited = await getRequestTimeline(id, asAuditor);
    expect(audited[6]).toMatchObject({ action: "request.extend", purpose: WITHHELD });
    expect(JSON.stringify(audited)).not.toContain(reason);
    expect((await getRequestTimeline(id, { id: dpo.id, role: dpo.role }))[6].purpose).toBe(reason);
  });

  it("refuses an extension reason that contains an e-mail address, phone number or Matrix ID", async () => {
    const dpo = await seedStaff("dpo");
    const r = await seedRequest({ createdById: dpo.id, receivedAt: d("2025-01-10") });
    for (const reason of ["Requester bob.jones@example.org sent more data.", "Called back on 07700 900123 twice.", "Also covers @bob:example.org on both servers."]) {
      const parsed = extendDeadlineSchema.safeParse({ id: r.id, reason });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0].message).toMatch(/looks like it contains/);
      const res = await extendRequestDeadline(dpo.actor, r.id, reason, d("2025-01-20"));
      expect(res).toMatchObject({ ok: false, message: expect.stringMatching(/looks like it contains/) });
    }
    expect(await db().accessLogEntry.count({ where: { requestId: r.id } })).toBe(0);
    expect(extendDeadlineSchema.safeParse({ id: r.id, reason: "Complex request across two servers (REQ-2025-0007)." }).success).toBe(true);
  });

  it("refuses transitions outside the table and closing through changeState", async () => {
    const dpo = await seedStaff("dpo");
    const r = await seedRequest({ createdById: dpo.id, receivedAt: d("2025-01-10") });
    expect(await changeRequestState(dpo.actor, r.id, "awaiting_approval")).toMatchObject({ ok: false });
    expect(await changeRequestState(dpo.actor, r.id, "received")).toMatchObject({ ok: false });
    expect(await closeRequestRecord(dpo.actor, r.id, "completed", "Done and dusted.")).toMatchObject({ ok: false });
    expect(await changeRequestState(dpo.actor, "missing", "in_progress")).toEqual({ ok: false, message: "This request does not exist." });
    expect(await db().accessLogEntry.count({ where: { requestId: r.id } })).toBe(0);
  });

  it("closing is final: no more changes afterwards", async () => {
    const dpo = await seedStaff("dpo");
    const r = await seedRequest({ createdById: dpo.id, receivedAt: d("2025-01-10") });
    expect(await closeRequestRecord(dpo.actor, r.id, "withdrawn", "Requester withdrew by e-mail.")).toEqual({ ok: true });
    expect(await closeRequestRecord(dpo.actor, r.id, "rejected", "Second close attempt.")).toMatchObject({ ok: false });
    expect(await changeRequestState(dpo.actor, r.id, "in_progress")).toMatchObject({ ok: false });
    expect(await assignRequestRecord(dpo.actor, r.id, dpo.id)).toEqual({ ok: false, message: "This request is closed." });
    expect(await extendRequestDeadline(dpo.actor, r.id, "x".repeat(30))).toEqual({ ok: false, message: "The request is closed." });
  });

  it("extends once, and only within the first month", async () => {
    const dpo = await seedStaff("dpo");
    const late = await seedRequest({ createdById: dpo.id, receivedAt: d("2025-01-10") });
    const res = await extendRequestDeadline(dpo.actor, late.id, "Complex request across two servers.", d("2025-02-11"));
    expect(res).toMatchObject({ ok: false, message: expect.stringMatching(/passed/) });
    const onTime = await seedRequest({ createdById: dpo.id, receivedAt: d("2025-01-10") });
    expect(await extendRequestDeadline(dpo.actor, onTime.id, "Complex request across two servers.", d("2025-02-10"))).toEqual({ ok: true });
    expect(await extendRequestDeadline(dpo.actor, onTime.id, "Complex request across two servers.", d("2025-02-10"))).toMatchObject({ ok: false });
    expect((await db().request.findUniqueOrThrow({ where: { id: onTime.id } })).extendedDueAt?.toISOString()).toBe("2025-04-10T00:00:00.000Z");
  });

  it("assigns only active staff who can work on requests", async () => {
    const dpo = await seedStaff("dpo");
    const auditor = await seedStaff("auditor");
    const r = await seedRequest({ createdById: dpo.id, receivedAt: d("2025-01-10") });
    expect(await assignRequestRecord(dpo.actor, r.id, auditor.id)).toMatchObject({ ok: false });
    expect(await assignRequestRecord(dpo.actor, r.id, "nobody")).toMatchObject({ ok: false });
    expect(await assignRequestRecord(dpo.actor, r.id, null)).toEqual({ ok: true });
  });
});
