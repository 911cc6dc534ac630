import { describe, expect, it } from "vitest";
import { recordAccess } from "@/lib/audit/log";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { parseTargets } from "@/lib/complaints/catalogue";
import {
  assignComplaint, createComplaint, escalateComplaint, linkComplaint, replyToComplaint, resolveComplaint, revealComplaintContact,
} from "@/lib/complaints/manage";
import { findComplaints, getComplaint } from "@/lib/complaints/queries";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import { useTestConsoleDb } from "@/lib/test/console-db";

useTestConsoleDb();

const base = {
  severity: "high" as const,
  summary: "The person says a staff member looked at their binding without a reason.",
  contactName: "Carol Jones",
  contact: "carol.jones@example.org",
};

describe("complaint queue", () => {
  it("sets targets from the severity, masks the contact in lists, and refuses identifiers in the summary", async () => {
    const support = await seedStaff("support");
    const received = new Date("2026-11-02T09:00:00Z");
    const c = await createComplaint(support.actor, { ...base, receivedAt: received });
    expect(c.ok).toBe(true);
    const row = await db().complaint.findUniqueOrThrow({ where: { id: (c as { id: string }).id } });
    expect(row.firstResponseDue.toISOString()).toBe("2026-11-03T09:00:00.000Z"); // high: 24 h
    expect(row.resolutionDue.toISOString()).toBe("2026-11-16T09:00:00.000Z"); // high: 14 days
    expect(row.contactEnc).not.toContain("carol");
    const list = await findComplaints({ viewer: { id: support.id, role: "support" }, now: new Date("2026-11-04T00:00:00Z") });
    expect(list.data[0]).toMatchObject({ contactMasked: expect.stringContaining("•"), firstResponseLate: true, resolutionLate: false });
    expect(JSON.stringify(list.data)).not.toContain("carol.jones");
    const bad = await createComplaint(support.actor, { ...base, summary: "Complains that carol.jones@example.org was looked up." });
    expect(bad).toMatchObject({ ok: false, code: "invalid" });
    expect(parseTargets("high=12h/10d").high).toMatchObject({ firstResponseHours: 12, resolutionDays: 10 });
    expect(() => parseTargets("high=soon")).toThrow(/CUSTODIAN_COMPLAINT_TARGETS/);
  });

  it("support links a complaint about a staff reveal and escalates; only the DPO resolves it, seeing who accessed the person", async () => {
    const support = await seedStaff("support");
    const dpo = await seedStaff("dpo");
    const nosy = await seedStaff("support", "Nosy Parker");
    const person = "carol.jones@example.org";
    // The reveal complained about, in the access log under the person's pseudonym.
    const reveal = await recordAccess({ actor: nosy.actor, action: "subject.reveal", target: { type: "email", value: person }, outcome: "ok", purpose: "curiosity" });
    const request = await seedRequest({ createdById: support.id, receivedAt: new Date(), type: "complaint" });

    const c = await createComplaint(support.actor, base);
    const id = (c as { id: string }).id;
    expect(await linkComplaint(support.actor, id, "about", "accessLog", `#${reveal.seq}`)).toEqual({ ok: true });
    expect(await linkComplaint(support.actor, id, "about", "staff", nosy.email)).toEqual({ ok: true });
    expect(await linkComplaint(support.actor, id, "caused", "request", request.reference)).toEqual({ ok: true });
    expect(await linkComplaint(support.actor, id, "about", "accessLog", "#999999")).toMatchObject({ ok: false, code: "invalid" });
    expect(await replyToComplaint(support.actor, id, "acknowledge")).toEqual({ ok: true });
    expect(await escalateComplaint(support.actor, id, "Possible misuse of access by a staff member.")).toEqual({ ok: true });
    expect(await resolveComplaint(support.actor, id, "Looked into it and found nothing.", null)).toMatchObject({ ok: false, code: "denied" });

    const asDpo = await getComplaint(id, { ...dpo.actor, id: dpo.id, role: "dpo" });
    expect(asDpo?.accessEntries?.map((e) => [e.seq, e.actorLabel, e.action])).toEqual([[reveal.seq, nosy.email, "subject.reveal"]]);
    expect(asDpo?.links.map((l) => [l.relation, l.kind, l.label])).toEqual([
      ["about", "accessLog", `#${reveal.seq}`], ["about", "staff", "Nosy Parker"], ["caused", "request", request.reference],
    ]);
    const asSupport = await getComplaint(id, { ...support.actor, id: support.id, role: "support" });
    expect(asSupport?.accessEntries).toBeNull();

    expect(await resolveComplaint(dpo.actor, id, "Access was without a purpose; staff member retrained, access reviewed.", "resolved_action")).toEqual({ ok: true });
    const row = await db().complaint.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ state: "resolved", subjectPseudonym: pseudonymFor("email", person) });
    const messages = await db().complaintMessage.findMany({ where: { complaintId: id }, orderBy: { createdAt: "asc" } });
    expect(messages.map((m) => m.template)).toEqual(["acknowledge", "resolved_action"]);
    expect(messages[1].body).toContain(row.reference);

    const trail = await db().accessLogEntry.findMany({ where: { targetRef: id }, orderBy: { seq: "asc" } });
    expect(trail.map((e) => [e.action, e.outcome])).toEqual([
      ["complaint.create", "ok"], ["complaint.link", "ok"], ["complaint.link", "ok"], ["complaint.link", "ok"],
      ["complaint.reply", "ok"], ["complaint.escalate", "ok"], ["complaint.resolve", "denied"],
      ["complaint.view", "ok"], ["complaint.view", "ok"], ["complaint.resolve", "ok"],
    ]);
    expect(JSON.stringify(trail)).not.toContain("carol");
  });

  it("reveals the contact only to roles that see personal data, and logs it; assigns only to complaint handlers", async () => {
    const support = await seedStaff("support");
    const auditor = await seedStaff("auditor");
    const admin = await seedStaff("admin");
    const id = ((await createComplaint(support.actor, base)) as { id: string }).id;
    expect(await revealComplaintContact(auditor.actor, id)).toMatchObject({ ok: false, code: "denied" });
    expect(await revealComplaintContact(support.actor, id)).toEqual({ ok: true, contact: "carol.jones@example.org" });
    expect(await db().accessLogEntry.count({ where: { action: "complaint.contact.reveal", targetRef: id } })).toBe(1);
    expect(await assignComplaint(support.actor, id, admin.id)).toMatchObject({ ok: false, code: "invalid" });
  });
});
