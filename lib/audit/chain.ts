import { sha256Hex } from "@/lib/audit/hash-core.mjs";

// The access log's canonical serialisation (documented in ARCHITECTURE.md so an auditor can
// re-implement the check): the entry's fields, in this exact order, as a JSON array with
// `at` as an ISO 8601 UTC string with milliseconds and absent values as null; the hash is the
// lowercase hex SHA-256 of that UTF-8 JSON text. prevHash of entry 1 is 64 zeros.

export const GENESIS_HASH = "0".repeat(64);

export type ChainFields = {
  seq: number;
  at: Date;
  actorId: string | null;
  actorLabel: string;
  actorRole: string;
  action: string;
  targetType: string | null;
  targetPseudonym: string | null;
  targetRef: string | null;
  requestId: string | null;
  purpose: string | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  details: string | null;
  prevHash: string;
};

export const CANONICAL_FIELD_ORDER = [
  "seq", "at", "actorId", "actorLabel", "actorRole", "action", "targetType", "targetPseudonym",
  "targetRef", "requestId", "purpose", "outcome", "ip", "userAgent", "details", "prevHash",
] as const satisfies readonly (keyof ChainFields)[];

/**
 * The definition, kept as the reference the faster code is tested against (lib/audit/chain.test.ts):
 * JSON.stringify of the array of the fields in CANONICAL_FIELD_ORDER.
 */
export function referenceSerialise(e: ChainFields): string {
  return JSON.stringify(
    CANONICAL_FIELD_ORDER.map((k) => {
      const v = e[k];
      if (v instanceof Date) return v.toISOString();
      return v ?? null;
    }),
  );
}

// One array element as JSON.stringify writes it inside an array: a string is quoted by
// JSON.stringify(string) (the same QuoteJSONString the array uses); absent is null; a Date is
// its toISOString() (which never needs escaping) in quotes; anything else is JSON.stringify of the
// value (undefined for functions and symbols, which an array writes as null).
function element(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null || v === undefined) return "null";
  if (v instanceof Date) return `"${v.toISOString()}"`;
  return JSON.stringify(v) ?? "null";
}

/** Byte for byte referenceSerialise, without building an intermediate array. */
export function canonicalSerialise(e: ChainFields): string {
  return "[" + element(e.seq) + "," + element(e.at) + "," + element(e.actorId) + "," + element(e.actorLabel) + "," +
    element(e.actorRole) + "," + element(e.action) + "," + element(e.targetType) + "," + element(e.targetPseudonym) + "," +
    element(e.targetRef) + "," + element(e.requestId) + "," + element(e.purpose) + "," + element(e.outcome) + "," +
    element(e.ip) + "," + element(e.userAgent) + "," + element(e.details) + "," + element(e.prevHash) + "]";
}

export function entryHash(e: ChainFields): string {
  return sha256Hex(canonicalSerialise(e));
}
