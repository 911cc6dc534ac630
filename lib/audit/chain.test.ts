import crypto from "node:crypto";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { ALL_CODE_POINTS, TRICKY_STRINGS } from "@/lib/audit/test-values";
import { CANONICAL_FIELD_ORDER, canonicalSerialise, entryHash, GENESIS_HASH, referenceSerialise, type ChainFields } from "@/lib/audit/chain";

// Known-answer tests of the access log's hash, computed independently of lib/audit/chain.ts from
// the format ARCHITECTURE.md documents for auditors: a field dropped, added or moved in the code
// (or in the documentation) fails here.

const entry: ChainFields = {
  seq: 42,
  at: new Date("2026-11-27T14:00:00.000Z"),
  actorId: "stf_1",
  actorLabel: "dpo@example.org",
  actorRole: "dpo",
  action: "subject.reveal",
  targetType: "email",
  targetPseudonym: "9f2c",
  targetRef: "REQ-2026-0001",
  requestId: "req_7",
  purpose: "request",
  outcome: "ok",
  ip: "192.0.2.10",
  userAgent: 'Mozilla/5.0 "Zoë"',
  details: '{"count":2}',
  prevHash: GENESIS_HASH,
};

// The canonical text typed by hand from the documented order (standard JSON escaping, UTF-8).
const HAND_TEXT =
  '[42,"2026-11-27T14:00:00.000Z","stf_1","dpo@example.org","dpo","subject.reveal","email","9f2c","REQ-2026-0001","req_7","request","ok","192.0.2.10","Mozilla/5.0 \\"Zoë\\"","{\\"count\\":2}","0000000000000000000000000000000000000000000000000000000000000000"]';
// sha256sum of HAND_TEXT, computed outside Node.
const HAND_HASH = "9d18d0d0f387490a9960fb7df42483b7f00e0068b613b0dbdfd70d0de6715d8a";

const sha256 = (s: string) => crypto.createHash("sha256").update(s, "utf8").digest("hex");

function documentedOrder(): string[] {
  const doc = fs.readFileSync("ARCHITECTURE.md", "utf8").replace(/\s+/g, " ");
  const m = /UTF-8 JSON array of these fields in this order: `([^`]+)`/.exec(doc);
  if (!m) throw new Error("ARCHITECTURE.md no longer documents the canonical field order");
  return m[1].split(",").map((s) => s.trim());
}

describe("access-log hash: known answers from the documented format", () => {
  it("the hand-typed canonical text hashes to the recorded known answer", () => {
    expect(sha256(HAND_TEXT)).toBe(HAND_HASH);
  });

  it("entryHash of the hand-built entry equals the known answer", () => {
    expect(entryHash(entry)).toBe(HAND_HASH);
  });

  it("ARCHITECTURE.md's field order, serialised independently, gives the same hash, and lists 16 fields", () => {
    const order = documentedOrder();
    expect(order).toHaveLength(16);
    expect(order).toEqual([...CANONICAL_FIELD_ORDER]);
    const values = order.map((k) => {
      const v = entry[k as keyof ChainFields];
      return v instanceof Date ? v.toISOString() : (v ?? null);
    });
    expect(sha256(JSON.stringify(values))).toBe(entryHash(entry));
  });

  it("absent values are null in the canonical text", () => {
    const bare: ChainFields = { ...entry, actorId: null, targetType: null, targetPseudonym: null, targetRef: null, requestId: null, purpose: null, ip: null, userAgent: null, details: null };
    const text = '[42,"2026-11-27T14:00:00.000Z",null,"dpo@example.org","dpo","subject.reveal",null,null,null,null,null,"ok",null,null,null,"0000000000000000000000000000000000000000000000000000000000000000"]';
    expect(entryHash(bare)).toBe(sha256(text));
  });

  it("every one of the 16 fields changes the hash", () => {
    const changed: Record<string, unknown> = {
      seq: 43, at: new Date("2026-11-27T14:00:00.001Z"), actorId: "stf_2", actorLabel: "x@example.org", actorRole: "admin",
      action: "subject.search", targetType: "msisdn", targetPseudonym: "9f2d", targetRef: "REQ-2026-0002", requestId: "req_8",
      purpose: "other", outcome: "denied", ip: "192.0.2.11", userAgent: "curl", details: '{"count":3}', prevHash: "1".repeat(64),
    };
    expect(Object.keys(changed).sort()).toEqual([...CANONICAL_FIELD_ORDER].sort());
    for (const [k, v] of Object.entries(changed)) expect(entryHash({ ...entry, [k]: v }), k).not.toBe(HAND_HASH);
  });
});

describe("canonicalSerialise is byte for byte the reference (JSON.stringify of the field array)", () => {
  const base: ChainFields = { ...entry };
  const textFields = CANONICAL_FIELD_ORDER.filter((k) => k !== "seq" && k !== "at");

  it("on every code point, in every text field", () => {
    for (const k of textFields) {
      for (const s of ALL_CODE_POINTS) {
        const e = { ...base, [k]: s };
        expect(canonicalSerialise(e)).toBe(referenceSerialise(e));
      }
    }
  });

  it("on quotes, escapes, lone surrogates, emoji, nested JSON details, nulls and undefined", () => {
    for (const k of textFields) {
      for (const v of [...TRICKY_STRINGS, null, undefined]) {
        const e = { ...base, [k]: v } as ChainFields;
        expect(canonicalSerialise(e), `${k} = ${JSON.stringify(v)}`).toBe(referenceSerialise(e));
        expect(entryHash(e)).toBe(sha256(referenceSerialise(e)));
      }
    }
  });

  it("on odd seqs and dates, and on values a tampered row could hold", () => {
    const odd: Partial<Record<keyof ChainFields, unknown>>[] = [
      { seq: 0 }, { seq: -1 }, { seq: 2 ** 53 - 1 }, { seq: 1.5 }, { seq: NaN }, { seq: Infinity }, { seq: "7" },
      { at: new Date(0) }, { at: new Date(-1) }, { at: new Date("0000-01-01T00:00:00.000Z") }, { at: new Date(8.64e15) }, { at: new Date(-8.64e15) },
      { at: "2026-01-01T00:00:00.000+00:00" }, { at: null }, { at: 1767225600000 },
      { details: Buffer.from("blob") }, { details: 5 }, { details: true }, { details: { a: 1 } }, { details: [1, "x"] }, { purpose: new Date(1) },
    ];
    for (const o of odd) {
      const e = { ...base, ...o } as ChainFields;
      expect(canonicalSerialise(e), JSON.stringify(o)).toBe(referenceSerialise(e));
    }
    // An invalid Date throws in both (toISOString), as it always did.
    const bad = { ...base, at: new Date(NaN) };
    expect(() => referenceSerialise(bad)).toThrow(RangeError);
    expect(() => canonicalSerialise(bad)).toThrow(RangeError);
  });
});
