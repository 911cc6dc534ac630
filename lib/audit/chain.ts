import crypto from "node:crypto";

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

export function canonicalSerialise(e: ChainFields): string {
  return JSON.stringify(
    CANONICAL_FIELD_ORDER.map((k) => {
      const v = e[k];
      if (v instanceof Date) return v.toISOString();
      return v ?? null;
    }),
  );
}

export function entryHash(e: ChainFields): string {
  return crypto.createHash("sha256").update(canonicalSerialise(e), "utf8").digest("hex");
}
