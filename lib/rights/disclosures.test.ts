import { describe, expect, it } from "vitest";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { buildPackage } from "@/lib/exports/build";
import { findingsFor, REFERENCE_NOW, subjects } from "@/lib/exports/test-findings";
import { seedStaff } from "@/lib/requests/testing";
import { approveDisclosure, cancelDisclosure, disclosuresForPackage, findDisclosures, recordDisclosure } from "@/lib/rights/disclosures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// The disclosure register (privacy notice 3.4): recorded by one DPO, approved by another; the
// person's package lists approved disclosures unless telling them is deferred; the log holds the
// person's pseudonym, never the identifier or the free text.

useTestConsoleDb();

const base = {
  recipient: "Metropolitan Police, Cyber Crime Unit",
  legalBasis: "law_enforcement_order" as const,
  whatShared: "The Matrix ID bound to the address and the bind date (one binding, November 2026).",
  orderReference: "Production order PO-2026-118",
  subjectKind: "email" as const,
  subjectValue: "Victim.Example@Example.org",
  disclosedOn: "2026-11-20",
  notification: "told" as const,
};

describe("disclosure register", () => {
  it("refuses bad input with specific messages and records nothing", async () => {
    const dpo = await seedStaff("dpo");
    const deferredWithoutDate = await recordDisclosure(dpo.actor, { ...base, notification: "deferred" });
    expect(deferredWithoutDate).toMatchObject({ ok: false, code: "invalid" });
    expect((deferredWithoutDate as { errors: Record<string, string[]> }).errors).toMatchObject({ deferredUntil: [expect.stringMatching(/date/)], deferralReason: [expect.any(String)] });
    const identifierInText = await recordDisclosure(dpo.actor, { ...base, whatShared: "Everything about victim.example@example.org since 2025." });
    expect((identifierInText as { errors: Record<string, string[]> }).errors.whatShared[0]).toMatch(/looks like it contains/);
    expect(await recordDisclosure(dpo.actor, { ...base, subjectValue: "not an address" })).toMatchObject({ ok: false, code: "invalid" });
    expect(await recordDisclosure(dpo.actor, { ...base, disclosedOn: "2026-02-30" })).toMatchObject({ ok: false, code: "invalid" });
    const support = await seedStaff("support");
    expect(await recordDisclosure(support.actor, base)).toMatchObject({ ok: false, code: "denied" });
    expect(await db().disclosure.count()).toBe(0);
  });

  it("needs a second person to approve, and logs every step under the person's pseudonym", async () => {
    const dpo = await seedStaff("dpo");
    const dpo2 = await seedStaff("dpo");
    const auditor = await seedStaff("auditor");
    const rec = await recordDisclosure(dpo.actor, base);
    expect(rec.ok).toBe(true);
    const id = (rec as { id: string }).id;
    expect(await approveDisclosure(dpo.actor, id)).toMatchObject({ ok: false, code: "denied", message: expect.stringMatching(/second person/) });
    expect(await approveDisclosure(auditor.actor, id)).toMatchObject({ ok: false, code: "denied" });
    expect(await approveDisclosure(dpo2.actor, id)).toEqual({ ok: true });
    expect(await approveDisclosure(dpo2.actor, id)).toMatchObject({ ok: false, code: "conflict" });
    expect(await cancelDisclosure(dpo.actor, id)).toMatchObject({ ok: false, code: "conflict" });

    const row = await db().disclosure.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ state: "approved", approvedById: dpo2.id, masked: expect.stringContaining("•"), pseudonym: pseudonymFor("email", "victim.example@example.org") });
    const entries = await db().accessLogEntry.findMany({ where: { action: { startsWith: "disclosure." } }, orderBy: { seq: "asc" } });
    expect(entries.map((e) => [e.action, e.outcome])).toEqual([
      ["disclosure.record", "ok"], ["disclosure.approve", "denied"], ["disclosure.approve", "denied"], ["disclosure.approve", "ok"],
    ]);
    for (const e of entries) expect(e.targetPseudonym).toBe(row.pseudonym);
    expect(JSON.stringify(entries).toLowerCase()).not.toMatch(/victim|metropolitan|production order/);
    const page = await findDisclosures();
    expect(page.count).toBe(1);
    expect(JSON.stringify(page.data).toLowerCase()).not.toContain("victim.example");
  });

  it("appears in the person's package once approved, unless telling them is deferred", async () => {
    const dpo = await seedStaff("dpo");
    const dpo2 = await seedStaff("dpo");
    const s = subjects.find((x) => x.threepids.some((t) => t.medium === "email"))!;
    const address = s.threepids.find((t) => t.medium === "email")!.address;
    const told = await recordDisclosure(dpo.actor, { ...base, subjectValue: address });
    const deferred = await recordDisclosure(dpo.actor, { ...base, subjectValue: address, legalBasis: "emergency", notification: "deferred", deferredUntil: "2027-06-01", deferralReason: "The order forbids telling the person for six months." });
    const proposed = await recordDisclosure(dpo.actor, { ...base, subjectValue: address, legalBasis: "security_audit" });
    for (const r of [told, deferred]) expect(await approveDisclosure(dpo2.actor, (r as { id: string }).id)).toEqual({ ok: true });
    expect(proposed.ok).toBe(true);

    const ids = [{ type: "email" as const, value: address }];
    const now = new Date("2026-12-01T00:00:00Z");
    const listed = await disclosuresForPackage(ids, now);
    expect(listed.map((d) => d.reference)).toEqual([(told as { reference: string }).reference]);
    // After the deferral ends, the person is told through their next package.
    expect((await disclosuresForPackage(ids, new Date("2027-06-02T00:00:00Z"))).map((d) => d.reference).sort()).toEqual(
      [(told as { reference: string }).reference, (deferred as { reference: string }).reference].sort(),
    );
    const p = buildPackage({ findings: findingsFor(s), request: { id: "r", reference: "DSR-1" }, kind: "access", accessHistory: [], generatedAt: REFERENCE_NOW, disclosures: listed });
    const data = JSON.parse(p.files.find((f) => f.name === "data.json")!.bytes.toString("utf8"));
    expect(data.disclosures).toEqual([expect.objectContaining({ recipient: base.recipient, disclosedOn: "2026-11-20" })]);
    expect(p.files.find((f) => f.name === "guide.html")!.bytes.toString("utf8")).toContain("Metropolitan Police");
  });

  it("a package states an active restriction of processing, in data.json and the guide", () => {
    const s = subjects.find((x) => x.threepids.some((t) => t.medium === "email"))!;
    const restrictions = [{ ground: "Accuracy contested, being verified (Art. 18(1)(a))", since: "2026-11-30" }];
    const p = buildPackage({ findings: findingsFor(s), request: { id: "r", reference: "DSR-2" }, kind: "access", accessHistory: [], generatedAt: REFERENCE_NOW, restrictions });
    const data = JSON.parse(p.files.find((f) => f.name === "data.json")!.bytes.toString("utf8"));
    expect(data.restrictions).toEqual(restrictions);
    expect(p.summary.restricted).toBe(true);
    expect(p.files.find((f) => f.name === "guide.html")!.bytes.toString("utf8")).toMatch(/Processing of your data is restricted \(Accuracy contested/);
  });
});
