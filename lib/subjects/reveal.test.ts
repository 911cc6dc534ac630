import { describe, expect, it } from "vitest";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import { linkSubject, readRequestSubjects } from "@/lib/subjects/link";
import { NO_REQUEST_REFUSED, NOT_LINKED_REFUSED, REVERSE_LOOKUP_REFUSED, runSubjectReveal, runSubjectSearch, type Finder } from "@/lib/subjects/reveal";
import { SUBJECTS, fixtureFindings } from "@/lib/subjects/testing-fixture";
import { useTestConsoleDb } from "@/lib/test/console-db";

// The rules behind the subjects page's actions, on a real console database and the real Sydent
// fixture: who may search by Matrix ID, what a reveal needs, that bad input is never logged as a
// reveal, and that linking stores the identifier encrypted with its pseudonym.

useTestConsoleDb();
const find: Finder = (q, o) => fixtureFindings(q, o.expand);
const alice = SUBJECTS.find((s) => s.key === "alice")!;
const phone = alice.threepids.find((t) => t.medium === "msisdn")!.address; // "447700900123"
const typed = `0${phone.slice(2, 6)} ${phone.slice(6)}`; // "07700 900123", as people type it
const email = alice.threepids.find((t) => t.medium === "email")!.address;
// Every identifier truth.json gives alice: what a DPO's expanded search shows and must log.
const alicePseudonyms = [...alice.threepids.map((t) => pseudonymFor(t.medium, t.address)), pseudonymFor("mxid", alice.mxid!)].sort();
const bob = SUBJECTS.find((s) => s.key !== "alice" && s.threepids.some((t) => t.medium === "email"))!;

async function entries(action: string, actorId: string) {
  return db().accessLogEntry.findMany({ where: { action, actorId }, orderBy: { seq: "asc" } });
}
async function people() {
  const [support, dpo] = await Promise.all([seedStaff("support"), seedStaff("dpo")]);
  return { support: { actor: support.actor, role: support.role }, dpo: { actor: dpo.actor, role: dpo.role }, supportId: support.id, dpoId: dpo.id };
}

describe("searching", () => {
  it("a phone number typed with spaces and a leading 0 finds the subject, masked, logged with the pseudonym", async () => {
    const p = await people();
    const r = await runSubjectSearch(p.support, { kind: "phone", value: typed }, { find });
    expect(r.ok).toBe(true);
    expect(r.view?.foundAnywhere).toBe(true);
    expect(JSON.stringify(r.view)).not.toContain(phone);
    const [e] = await entries("subject.search", p.supportId);
    expect(e).toMatchObject({ outcome: "ok", targetType: "msisdn", targetPseudonym: pseudonymFor("msisdn", phone) });
  });

  it("support searching by Matrix ID is refused and logged as denied", async () => {
    const p = await people();
    const r = await runSubjectSearch(p.support, { kind: "mxid", value: alice.mxid! }, { find });
    expect(r).toMatchObject({ ok: false, message: REVERSE_LOOKUP_REFUSED });
    expect(r.view).toBeUndefined();
    expect((await entries("subject.search", p.supportId)).map((e) => e.outcome)).toEqual(["denied"]);
  });

  it("invalid input gets a message under the field and is not logged as a reveal", async () => {
    const p = await people();
    const r = await runSubjectReveal(p.dpo, { kind: "phone", value: "call me maybe", basis: "purpose", purpose: "other", note: "Checking the phone parser." }, { find });
    expect(r.ok).toBe(false);
    expect(r.errors?.value?.[0]).toMatch(/^Not a phone number/);
    expect(await entries("subject.reveal", p.dpoId)).toEqual([]);
    const s = await runSubjectSearch(p.dpo, { kind: "email", value: "not-an-address" }, { find });
    expect(s.errors?.value?.[0]).toMatch(/^Not an email address/);
    const logged = await entries("subject.search", p.dpoId);
    expect(logged.map((e) => [e.outcome, e.targetPseudonym])).toEqual([["invalid", null]]);
  });

  it("a person found nowhere is reported and still logged", async () => {
    const p = await people();
    const r = await runSubjectSearch(p.dpo, { kind: "email", value: "nobody-at-all@nowhere.example" }, { find });
    expect(r.ok).toBe(true);
    expect(r.view?.foundAnywhere).toBe(false);
    expect((await entries("subject.search", p.dpoId)).map((e) => e.outcome)).toEqual(["not_found"]);
  });
});

describe("revealing", () => {
  it("support cannot reveal without an open request, nor for a purpose", async () => {
    const p = await people();
    const closed = await seedRequest({ createdById: p.supportId, receivedAt: new Date(), state: "completed", closedAt: new Date() });
    const none = await runSubjectReveal(p.support, { kind: "phone", value: typed }, { find });
    expect(none).toMatchObject({ ok: false, message: NO_REQUEST_REFUSED });
    const shut = await runSubjectReveal(p.support, { kind: "phone", value: typed, requestId: closed.id }, { find });
    expect(shut.ok).toBe(false);
    const purpose = await runSubjectReveal(p.support, { kind: "phone", value: typed, basis: "purpose", purpose: "other", note: "I would like to look." }, { find });
    expect(purpose.ok).toBe(false);
    for (const r of [none, shut, purpose]) expect(r.view).toBeUndefined();
    expect((await entries("subject.reveal", p.supportId)).map((e) => e.outcome)).toEqual(["denied", "denied", "denied"]);
  });

  it("support links the typed number without a reveal, then reveals for that request: logged with the request", async () => {
    const p = await people();
    const open = await seedRequest({ createdById: p.supportId, receivedAt: new Date() });
    const before = await runSubjectReveal(p.support, { kind: "phone", value: typed, requestId: open.id }, { find });
    expect(before).toMatchObject({ ok: false, message: NOT_LINKED_REFUSED });
    expect(before.view).toBeUndefined();
    expect((await linkSubject(p.support, { kind: "phone", value: typed, requestId: open.id })).ok).toBe(true);
    const r = await runSubjectReveal(p.support, { kind: "phone", value: typed, requestId: open.id }, { find });
    expect(r.ok).toBe(true);
    expect(r.view?.revealed).toBe(true);
    expect(JSON.stringify(r.view)).toContain(phone);
    const logged = await entries("subject.reveal", p.supportId);
    expect(logged.map((e) => [e.outcome, e.requestId, e.targetPseudonym])).toEqual([
      ["denied", open.id, pseudonymFor("msisdn", phone)],
      ["ok", open.id, pseudonymFor("msisdn", phone)],
      // support's search is not expanded, but alice's Matrix ID is shown with her number: logged too.
      ["ok", open.id, pseudonymFor("mxid", alice.mxid!)],
    ]);
    expect(JSON.parse(logged[2].details!)).toMatchObject({ additionalTarget: true });
  });

  it("an open request about someone else unlocks nothing", async () => {
    const p = await people();
    const other = await seedRequest({ createdById: p.supportId, receivedAt: new Date() });
    const bobEmail = bob.threepids.find((t) => t.medium === "email")!.address;
    expect((await linkSubject(p.support, { kind: "email", value: bobEmail, requestId: other.id })).ok).toBe(true);
    for (const op of [p.support, p.dpo]) {
      const r = await runSubjectReveal(op, { kind: "phone", value: typed, requestId: other.id }, { find });
      expect(r).toMatchObject({ ok: false, message: NOT_LINKED_REFUSED, errors: { requestId: [NOT_LINKED_REFUSED] } });
      expect(r.view).toBeUndefined();
    }
    const denied = await db().accessLogEntry.findMany({ where: { action: "subject.reveal", requestId: other.id } });
    expect(denied.map((e) => [e.outcome, e.targetPseudonym, JSON.parse(e.details!).reason])).toEqual([
      ["denied", pseudonymFor("msisdn", phone), "not_linked"],
      ["denied", pseudonymFor("msisdn", phone), "not_linked"],
    ]);
  });

  it("a lookup hash reveals for a request its address is linked to", async () => {
    const p = await people();
    const open = await seedRequest({ createdById: p.dpoId, receivedAt: new Date() });
    const findings = await find({ kind: "email", address: email }, { expand: false });
    const hash = findings.servers.flatMap((s) => s.associations).find((a) => a.address === email && a.lookupHash)!.lookupHash!;
    expect((await runSubjectReveal(p.support, { kind: "hash", value: hash, requestId: open.id }, { find })).message).toBe(NOT_LINKED_REFUSED);
    await linkSubject(p.dpo, { kind: "email", value: email, requestId: open.id });
    const r = await runSubjectReveal(p.support, { kind: "hash", value: hash, requestId: open.id }, { find });
    expect(r.ok).toBe(true);
    expect(JSON.stringify(r.view)).toContain(email);
  });

  it("a DPO reveals for a purpose from the list with a note of at least 10 characters", async () => {
    const p = await people();
    const short = await runSubjectReveal(p.dpo, { kind: "email", value: "Alice.Smith@Example.org", basis: "purpose", purpose: "legal_obligation", note: "court" }, { find });
    expect(short.errors?.note).toBeDefined();
    const bad = await runSubjectReveal(p.dpo, { kind: "email", value: "Alice.Smith@Example.org", basis: "purpose", purpose: "curiosity", note: "Just wondering about her." }, { find });
    expect(bad.errors?.purpose).toBeDefined();
    expect(await entries("subject.reveal", p.dpoId)).toEqual([]);
    const ok = await runSubjectReveal(p.dpo, { kind: "email", value: "Alice.Smith@Example.org", basis: "purpose", purpose: "legal_obligation", note: "Court order 2026/114 received by post." }, { find });
    expect(ok.ok).toBe(true);
    const logged = await entries("subject.reveal", p.dpoId);
    expect(logged[0]).toMatchObject({ outcome: "ok", requestId: null, targetPseudonym: pseudonymFor("email", email), purpose: "legal_obligation: Court order 2026/114 received by post." });
    // The expanded reveal shows every identifier of the person: one entry for each.
    expect(logged.map((e) => e.targetPseudonym).sort()).toEqual(alicePseudonyms);
    expect(logged.every((e) => e.purpose === logged[0].purpose)).toBe(true);
  });

  it("a DPO's note that contains an identifier is refused and nothing is logged", async () => {
    const p = await people();
    for (const note of [`Asked by ${bob.threepids[0].address} by post`, `Account ${alice.mxid} reported`, `Rang from ${typed} yesterday`]) {
      const r = await runSubjectReveal(p.dpo, { kind: "email", value: email, basis: "purpose", purpose: "complaint_investigation", note }, { find });
      expect(r.ok).toBe(false);
      expect(r.errors?.note?.[0]).toMatch(/looks like it contains/);
      expect(r.errors?.note?.[0]).not.toContain(note);
    }
    expect(await entries("subject.reveal", p.dpoId)).toEqual([]);
  });
});

describe("logging every identifier shown", () => {
  it("a DPO's expanded search logs one entry per identifier found", async () => {
    const p = await people();
    await runSubjectSearch(p.dpo, { kind: "email", value: email }, { find });
    const logged = await entries("subject.search", p.dpoId);
    expect(logged[0].targetPseudonym).toBe(pseudonymFor("email", email));
    expect(logged.map((e) => e.targetPseudonym).sort()).toEqual(alicePseudonyms);
    expect(logged.slice(1).every((e) => JSON.parse(e.details!).additionalTarget === true)).toBe(true);
  });
});

describe("linking", () => {
  it("stores the identifier encrypted with its pseudonym and masked form, once, on open requests only", async () => {
    const p = await people();
    const open = await seedRequest({ createdById: p.dpoId, receivedAt: new Date() });
    const closed = await seedRequest({ createdById: p.dpoId, receivedAt: new Date(), state: "completed", closedAt: new Date() });
    expect((await linkSubject(p.dpo, { kind: "phone", value: typed, requestId: open.id })).ok).toBe(true);
    expect((await linkSubject(p.dpo, { kind: "phone", value: typed, requestId: open.id })).message).toMatch(/^Already linked/);
    expect((await linkSubject(p.dpo, { kind: "phone", value: typed, requestId: closed.id })).ok).toBe(false);
    const rows = await db().requestSubject.findMany({ where: { requestId: open.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: "msisdn", masked: "+44 •••• ••• 123", pseudonym: pseudonymFor("msisdn", phone) });
    expect(rows[0].valueEnc).not.toContain(phone);
    expect(await readRequestSubjects(open.id)).toEqual([{ id: rows[0].id, type: "msisdn", value: phone }]);
    const logged = await entries("request.subject.link", p.dpoId);
    expect(logged.map((e) => [e.outcome, e.requestId])).toEqual([["ok", open.id], ["ok", open.id]]);
  });
});
