import { describe, expect, it } from "vitest";
import { SUBJECTS } from "@/lib/subjects/testing-fixture";
import { identifierInText, identifierInTextMessage } from "@/lib/free-text";

// Notes and reasons that go into the access log must not carry identifiers. The identifiers come
// from the real fixture's truth.json, written the way staff would paste or type them.

const bound = SUBJECTS.flatMap((s) => s.threepids);
const email = bound.find((t) => t.medium === "email")!.address;
const msisdn = bound.find((t) => t.medium === "msisdn" && t.address.startsWith("44"))!.address;
const mxid = SUBJECTS.find((s) => s.mxid)!.mxid!;

describe("identifierInText", () => {
  it.each([
    [`Asked by ${email} on the phone`, "email"],
    [`Contact: ${email.toUpperCase()}.`, "email"],
    [`Bound to ${mxid} since May`, "mxid"],
    [`Number ${msisdn} belongs to the requester`, "phone"],
    [`Called 0${msisdn.slice(2, 6)} ${msisdn.slice(6)} twice`, "phone"],
    [`Called +${msisdn.slice(0, 2)} ${msisdn.slice(2, 6)} ${msisdn.slice(6)}`, "phone"],
  ])("finds an identifier in %j", (text, kind) => {
    expect(identifierInText(text)).toBe(kind);
  });

  it.each([
    "Court order 2026/114 received by post.",
    "Complex request across two servers, REQ-2026-0042; 3 log files between 2026-01-01 and 2026-03-31.",
    "Investigating complaint C-17 about @mentions: see the ticket.",
    "Requester asked at 10:30 for a copy; 12000 log lines to review.",
  ])("accepts %j", (text) => {
    expect(identifierInText(text)).toBeNull();
  });

  it("the message names the kind but never repeats the text", () => {
    const m = identifierInTextMessage("email", "note");
    expect(m).toMatch(/an e-mail address/);
    expect(m).not.toContain(email);
  });
});
