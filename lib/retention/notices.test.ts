import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { DEFAULT_RETENTION_POLICY } from "@/lib/logs/retention";
import { formatCalendarDate } from "@/lib/requests/due-date";
import { seedStaff } from "@/lib/requests/testing";
import { BUILT_IN_NOTICE, approveNotice, loadNotices, proposeNotice, rejectNotice, type NoticeInput } from "@/lib/retention/notices";
import { approvePolicy, loadPolicies, proposePolicy } from "@/lib/retention/policies";
import { auditAndAttest } from "@/lib/retention/run";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Recorded privacy-notice versions (SQLite and PostgreSQL): the seeded built-in version, bad input
// that changes nothing, a second administrator, policies refused beyond the notice in force and
// permitted by a recorded, approved newer version; approved versions still to come; the database's
// own refusal to change a decided version; the notice in attestations. The tests run in order on
// one database.

useTestConsoleDb();

const DAY = 86_400_000;
const now = new Date();
const day = (offset: number) => formatCalendarDate(new Date(now.getTime() + offset * DAY));

/** Everything a refusal must leave as it was: the notices, the policies, the access log's head. */
async function snapshot() {
  const [notices, policies, head] = await Promise.all([
    db().privacyNoticeVersion.findMany({ orderBy: { version: "asc" } }),
    db().retentionPolicy.findMany({ orderBy: { id: "asc" } }),
    db().accessLogHead.findUnique({ where: { id: 1 } }),
  ]);
  return JSON.stringify({ notices, policies, seq: head?.seq ?? 0 });
}

async function entries(action: string) {
  const rows = await db().accessLogEntry.findMany({ where: { action }, orderBy: { seq: "asc" } });
  return rows.map((r) => ({ ...r, details: r.details ? JSON.parse(r.details) : null }));
}

const input = (o: Partial<NoticeInput> = {}): NoticeInput => ({
  version: "1.2.0",
  effectiveFrom: day(-1),
  limits: { lookup: "7", haproxy: "90", application: "90", connection: "180" },
  sections: { lookup: "3.2.2", haproxy: "3.2.2", application: "3.9", connection: "3.2.2" },
  textSha256: "ab".repeat(32),
  reason: "HAProxy and application logs kept 90 days for abuse investigations",
  ...o,
});

let admin1: Awaited<ReturnType<typeof seedStaff>>;
let admin2: Awaited<ReturnType<typeof seedStaff>>;
let admin3: Awaited<ReturnType<typeof seedStaff>>;
let dpo: Awaited<ReturnType<typeof seedStaff>>;
let v120 = "";

describe("recorded privacy-notice versions", () => {
  it("the migration seeds the built-in version 1.1.0 as approved and in force; the seeded policies follow it", async () => {
    admin1 = await seedStaff("admin");
    admin2 = await seedStaff("admin");
    admin3 = await seedStaff("admin");
    dpo = await seedStaff("dpo");
    const book = await loadNotices(now);
    expect(book.all).toHaveLength(1);
    const n = book.inForce!;
    expect(n).toMatchObject({ version: BUILT_IN_NOTICE.version, state: "approved", limits: BUILT_IN_NOTICE.limits, sections: BUILT_IN_NOTICE.sections, textSha256: BUILT_IN_NOTICE.textSha256, proposedById: null, approvedById: null });
    expect(formatCalendarDate(n.effectiveFrom)).toBe(BUILT_IN_NOTICE.effectiveFrom);
    expect(n.limits).toEqual(DEFAULT_RETENTION_POLICY.periodDays);
    const policies = await loadPolicies(now);
    expect(policies.noticeVersion).toBe("1.1.0");
    expect(policies.policyNoticeVersions).toEqual(["1.1.0"]);
  });

  it("bad input is refused with the field named, and changes nothing (not even the access log)", async () => {
    const before = await snapshot();
    const cases: [Partial<NoticeInput>, string, RegExp][] = [
      [{ limits: { lookup: "7", haproxy: "90", application: "90", connection: "180", debug: "30" } }, "limits", /Unknown retention class "debug"/],
      [{ limits: { lookup: "0", haproxy: "90", application: "90", connection: "180" } }, "limit.lookup", /from 1 to 3650/],
      [{ limits: { lookup: "-7", haproxy: "90", application: "90", connection: "180" } }, "limit.lookup", /whole number/],
      [{ limits: { lookup: "7", haproxy: "1.5", application: "90", connection: "180" } }, "limit.haproxy", /whole number/],
      [{ limits: { lookup: 7, haproxy: 90, application: 90 } }, "limit.connection", /Give the notice's limit for connection/],
      [{ sections: { lookup: "3.2.2", bogus: "9" } }, "sections", /Unknown retention class "bogus"/],
      [{ version: "../1" }, "version", /version label/],
      [{ effectiveFrom: "2027-02-30" }, "effectiveFrom", /YYYY-MM-DD/],
      [{ textSha256: "not-a-hash" }, "textSha256", /64 hexadecimal/],
      [{ reason: "short" }, "reason", /10 to 500/],
      [{ version: "1.1.0" }, "version", /already recorded \(approved\)/],
      [{ effectiveFrom: BUILT_IN_NOTICE.effectiveFrom }, "effectiveFrom", /Must be after 2019-07-23, when the approved version 1\.1\.0/],
    ];
    for (const [o, fieldName, message] of cases) {
      const r = await proposeNotice(admin1.actor, input(o), now);
      expect(r.ok, JSON.stringify(o)).toBe(false);
      if (r.ok) continue;
      expect(r.code).toBe("invalid");
      expect(r.errors?.[fieldName]?.join(" "), JSON.stringify(r.errors)).toMatch(message);
    }
    const denied = await proposeNotice(dpo.actor, input(), now);
    expect(denied).toMatchObject({ ok: false, code: "denied" });
    expect(await snapshot()).toBe(before);
  });

  it("a policy beyond the notice in force is refused, naming the limit and the version; nothing changes", async () => {
    const before = await snapshot();
    const r = await proposePolicy(admin1.actor, { scope: "haproxy:haproxy", retentionClass: "haproxy", periodDays: 90, reason: "longer for abuse work" }, now);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/Privacy notice 1\.1\.0 \(3\.2\.2\), in force, promises at most 60 days for haproxy; 90 days needs a newer version/);
    const unknown = await proposePolicy(admin1.actor, { scope: "default", retentionClass: "lookup", periodDays: 5, reason: "shorter", noticeVersion: "9.9.9" }, now);
    expect(unknown).toMatchObject({ ok: false, message: expect.stringMatching(/"9\.9\.9" is not recorded/) });
    expect(await snapshot()).toBe(before);
  });

  it("an admin proposes 1.2.0 (access-logged); while it is only proposed it permits nothing", async () => {
    const r = await proposeNotice(admin1.actor, input(), now);
    expect(r).toMatchObject({ ok: true, version: "1.2.0" });
    if (!r.ok) return;
    v120 = r.id;
    const row = await db().privacyNoticeVersion.findUniqueOrThrow({ where: { id: r.id } });
    expect(row).toMatchObject({ state: "proposed", proposedById: admin1.id, approvedById: null, textSha256: "ab".repeat(32) });
    expect(JSON.parse(row.limits)).toEqual({ lookup: 7, haproxy: 90, application: 90, connection: 180 });
    const logged = await entries("retention.notice.propose");
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ actorId: admin1.id, outcome: "ok", details: { noticeId: r.id, version: "1.2.0", effectiveFrom: day(-1), limits: { haproxy: 90 } } });
    // Another proposal with the same label is a duplicate, whatever its state.
    expect(await proposeNotice(admin2.actor, input(), now)).toMatchObject({ ok: false, code: "invalid", errors: { version: [expect.stringMatching(/already recorded \(proposed\)/)] } });

    const before = await snapshot();
    const byDefault = await proposePolicy(admin1.actor, { scope: "haproxy:haproxy", retentionClass: "haproxy", periodDays: 90, reason: "longer for abuse work" }, now);
    expect(byDefault).toMatchObject({ ok: false, message: expect.stringMatching(/1\.1\.0 .*at most 60 days/) });
    const named = await proposePolicy(admin1.actor, { scope: "haproxy:haproxy", retentionClass: "haproxy", periodDays: 90, reason: "longer for abuse work", noticeVersion: "1.2.0" }, now);
    expect(named).toMatchObject({ ok: false, message: expect.stringMatching(/1\.2\.0 is proposed, not approved/) });
    expect(await snapshot()).toBe(before);
  });

  it("the proposer cannot approve it (a denied entry, the version unchanged); nor can a DPO", async () => {
    const before = await db().privacyNoticeVersion.findUniqueOrThrow({ where: { id: v120 } });
    const self = await approveNotice(admin1.actor, "1.2.0", { now });
    expect(self).toMatchObject({ ok: false, code: "denied", message: expect.stringMatching(/needs a second administrator: you proposed 1\.2\.0/) });
    const byDpo = await approveNotice(dpo.actor, v120, { now });
    expect(byDpo).toMatchObject({ ok: false, code: "denied" });
    expect(await db().privacyNoticeVersion.findUniqueOrThrow({ where: { id: v120 } })).toEqual(before);
    const logged = await entries("retention.notice.approve");
    expect(logged.map((e) => [e.actorId, e.outcome])).toEqual([[admin1.id, "denied"], [dpo.id, "denied"]]);
    // A failed second factor (the browser's step-up) also leaves it proposed.
    const noCode = await approveNotice(admin2.actor, v120, { now, stepUp: async () => ({ ok: false, message: "Enter the current code" }) });
    expect(noCode).toMatchObject({ ok: false, message: "Enter the current code" });
    expect((await db().privacyNoticeVersion.findUniqueOrThrow({ where: { id: v120 } })).state).toBe("proposed");
  });

  it("a second admin approves it; now it is in force and permits the longer policy, which records 1.2.0", async () => {
    const r = await approveNotice(admin2.actor, "1.2.0", { now, stepUp: async () => ({ ok: true }) });
    expect(r).toMatchObject({ ok: true, version: "1.2.0" });
    const row = await db().privacyNoticeVersion.findUniqueOrThrow({ where: { id: v120 } });
    expect(row).toMatchObject({ state: "approved", approvedById: admin2.id, proposedById: admin1.id });
    const ok = (await entries("retention.notice.approve")).filter((e) => e.outcome === "ok");
    expect(ok).toHaveLength(1);
    expect(ok[0]).toMatchObject({ actorId: admin2.id, details: { noticeId: v120, version: "1.2.0", limits: { haproxy: 90 }, textSha256: "ab".repeat(32) } });
    expect(await approveNotice(admin3.actor, "1.2.0", { now })).toMatchObject({ ok: false, code: "conflict" });

    expect((await loadNotices(now)).inForce?.version).toBe("1.2.0");
    const p = await proposePolicy(admin1.actor, { scope: "haproxy:haproxy", retentionClass: "haproxy", periodDays: 90, reason: "longer for abuse work" }, now);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect((await db().retentionPolicy.findUniqueOrThrow({ where: { id: p.id } })).noticeVersion).toBe("1.2.0");
    expect(await approvePolicy(admin1.actor, p.id, now)).toMatchObject({ ok: false });
    expect(await approvePolicy(admin2.actor, p.id, now)).toMatchObject({ ok: true });
    const set = await loadPolicies(now);
    expect(set.policyFor("haproxy:haproxy").periodDays.haproxy).toBe(90);
    expect(set.policyFor("sydent:is1").periodDays.haproxy).toBe(60);
    expect(set.noticeVersion).toBe("1.2.0");
    expect(set.policyNoticeVersions).toEqual(["1.1.0", "1.2.0"]);
    // Still never beyond the newer version's own limit.
    const over = await proposePolicy(admin1.actor, { scope: "haproxy:haproxy", retentionClass: "haproxy", periodDays: 91, reason: "longer still" }, now);
    expect(over).toMatchObject({ ok: false, message: expect.stringMatching(/Privacy notice 1\.2\.0 \(3\.2\.2\), in force, promises at most 90 days/) });
  });

  it("the database refuses to change or delete a decided version", async () => {
    const c = db();
    await expect(c.$executeRawUnsafe(`UPDATE "PrivacyNoticeVersion" SET "limits" = '{"lookup":7,"haproxy":900,"application":90,"connection":180}' WHERE "id" = '${v120}'`)).rejects.toThrow(/never changed/);
    await expect(c.$executeRawUnsafe(`UPDATE "PrivacyNoticeVersion" SET "state" = 'rejected' WHERE "version" = '1.1.0'`)).rejects.toThrow(/never changed/);
    await expect(c.$executeRawUnsafe(`DELETE FROM "PrivacyNoticeVersion" WHERE "id" = '${v120}'`)).rejects.toThrow(/never deleted/);
    expect(JSON.parse((await db().privacyNoticeVersion.findUniqueOrThrow({ where: { id: v120 } })).limits).haproxy).toBe(90);
  });

  it("a version whose limits are below an active policy is not approved; its proposer withdraws it", async () => {
    const r = await proposeNotice(admin1.actor, input({ version: "1.3.0", effectiveFrom: day(10), limits: { lookup: 5, haproxy: 90, application: 90, connection: 180 }, reason: "Lookups kept five days at most" }), now);
    expect(r.ok).toBe(true);
    // What a proposal says is what gets approved: the database refuses to change it meanwhile.
    await expect(db().$executeRawUnsafe(`UPDATE "PrivacyNoticeVersion" SET "limits" = '{"lookup":7,"haproxy":90,"application":90,"connection":180}' WHERE "version" = '1.3.0'`)).rejects.toThrow(/never changed/);
    const before = await snapshot();
    const refused = await approveNotice(admin2.actor, "1.3.0", { now });
    expect(refused).toMatchObject({ ok: false, code: "conflict", message: expect.stringMatching(/default lookup 7 days > 5/) });
    expect(await snapshot()).toBe(before);
    expect(await rejectNotice(admin1.actor, "1.3.0", "bad", now)).toMatchObject({ ok: false, code: "invalid" });
    expect(await rejectNotice(admin1.actor, "1.3.0", "entered in error, lookups stay at 7", now)).toMatchObject({ ok: true });
    expect(await db().privacyNoticeVersion.findFirstOrThrow({ where: { version: "1.3.0" } })).toMatchObject({ state: "rejected", rejectedById: admin1.id });
    expect(await entries("retention.notice.reject")).toHaveLength(1);
    expect(await approveNotice(admin2.actor, "1.3.0", { now })).toMatchObject({ ok: false, code: "conflict", message: expect.stringMatching(/is rejected/) });
  });

  it("an approved version still to come binds policies already; it cannot be named before its date", async () => {
    const r = await proposeNotice(admin1.actor, input({ version: "1.4.0", effectiveFrom: day(30), limits: { lookup: 7, haproxy: 90, application: 60, connection: 180 }, reason: "Application logs back to 60 days" }), now);
    expect(r.ok).toBe(true);
    // Proposed under 1.2.0 (application 90) before 1.4.0 is approved: fine so far.
    const early = await proposePolicy(admin1.actor, { scope: "sydent:is1", retentionClass: "application", periodDays: 80, reason: "longer on is1" }, now);
    expect(early.ok).toBe(true);
    expect(await approveNotice(admin3.actor, "1.4.0", { now })).toMatchObject({ ok: true });
    const book = await loadNotices(now);
    expect(book.inForce?.version).toBe("1.2.0");
    expect(book.upcoming.map((n) => n.version)).toEqual(["1.4.0"]);
    // The earlier proposal is checked again at approval: 1.4.0 will promise 60.
    const before = await snapshot();
    const late = await approvePolicy(admin2.actor, early.ok ? early.id : "", now);
    expect(late).toMatchObject({ ok: false, message: expect.stringMatching(/Privacy notice 1\.4\.0 \(3\.9\), approved, in force from .*, promises at most 60 days for application/) });
    expect(await snapshot()).toBe(before);
    const named = await proposePolicy(admin1.actor, { scope: "sydent:is1", retentionClass: "application", periodDays: 30, reason: "shorter", noticeVersion: "1.4.0" }, now);
    expect(named).toMatchObject({ ok: false, message: expect.stringMatching(/1\.4\.0 takes effect on .*; until then policies follow 1\.2\.0/) });
    // A newer version must take effect after 1.4.0.
    expect(await proposeNotice(admin1.actor, input({ version: "1.5.0", effectiveFrom: day(20) }), now)).toMatchObject({ ok: false, errors: { effectiveFrom: [expect.stringMatching(/1\.4\.0/)] } });
    // Once its date has come, 1.4.0 is in force.
    expect((await loadNotices(new Date(now.getTime() + 31 * DAY))).inForce?.version).toBe("1.4.0");
  });

  it("audit attestations carry the version in force with its recorded limits and hash", async () => {
    const { attestationId } = await auditAndAttest(admin1.actor, { now });
    const att = await db().retentionAttestation.findUniqueOrThrow({ where: { id: attestationId } });
    const payload = JSON.parse(att.payload);
    expect(payload.noticeVersion).toBe("1.2.0");
    expect(payload.notice).toEqual({ version: "1.2.0", effectiveFrom: day(-1), limits: { lookup: 7, haproxy: 90, application: 90, connection: 180 }, sections: { lookup: "3.2.2", haproxy: "3.2.2", application: "3.9", connection: "3.2.2" }, textSha256: "ab".repeat(32), approvedAt: expect.any(String) });
  });
});
