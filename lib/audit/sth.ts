import type crypto from "node:crypto";
import { isCheckpointSignatureValid, STH_MESSAGE_VERSION, type CheckpointRow } from "@/lib/audit/checkpoint";
import { keyIdOf, parsePublicKey, rawPublicKey } from "@/lib/audit/checkpoint-key";

// A signed tree head as it leaves the database: served to auditors (/api/audit/sth, audit:proof),
// stored by witnesses (audit:witness), published on every seal (CUSTODIAN_STH_PUBLISH_DIR),
// carried in access packages and evidence packs. JSON, self-contained: the signature covers every
// field but publicKey, which keyId names (keyId = first 16 hex of SHA-256(raw key)).

export type SignedTreeHead = {
  version: typeof STH_MESSAGE_VERSION;
  size: number;
  root: string;
  entryHash: string;
  sealedAt: string;
  keyId: string;
  sealedBy: string;
  publicKey: string;
  signature: string;
};

export function sthFromRow(r: CheckpointRow): SignedTreeHead {
  if (!r.root) throw new Error(`checkpoint at seq ${r.seq} is a version-1 checkpoint without a tree root`);
  return {
    version: STH_MESSAGE_VERSION,
    size: r.seq,
    root: r.root,
    entryHash: r.hash,
    sealedAt: r.sealedAt.toISOString(),
    keyId: r.keyId,
    sealedBy: r.sealedBy,
    publicKey: r.publicKey,
    signature: r.signature,
  };
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Parses untrusted JSON into a tree head, or throws naming the bad field. */
export function parseSth(v: unknown): SignedTreeHead {
  const o = v as Record<string, unknown>;
  if (!o || typeof o !== "object") throw new Error("not a tree head object");
  if (o.version !== STH_MESSAGE_VERSION) throw new Error(`unknown tree head version ${String(o.version)}`);
  if (!Number.isInteger(o.size) || (o.size as number) < 1) throw new Error("tree head size is not a positive whole number");
  for (const f of ["root", "entryHash"]) if (typeof o[f] !== "string" || !HEX64.test(o[f] as string)) throw new Error(`tree head ${f} is not 64 hex`);
  for (const f of ["sealedAt", "keyId", "sealedBy", "publicKey", "signature"]) if (typeof o[f] !== "string") throw new Error(`tree head ${f} missing`);
  if (Number.isNaN(Date.parse(o.sealedAt as string))) throw new Error("tree head sealedAt is not a date");
  return o as unknown as SignedTreeHead;
}

/**
 * Null when the head's signature is valid (and by the pinned key, if given); otherwise the reason.
 */
export function sthSignatureProblem(sth: SignedTreeHead, pinned?: crypto.KeyObject): string | null {
  let key: crypto.KeyObject;
  try {
    key = parsePublicKey(sth.publicKey);
  } catch {
    return "tree head public key invalid";
  }
  const raw = rawPublicKey(key);
  if (keyIdOf(raw) !== sth.keyId) return "tree head keyId mismatch";
  if (pinned && !rawPublicKey(pinned).equals(raw)) return `tree head signed by key ${sth.keyId}, not the pinned key`;
  const ok = isCheckpointSignatureValid(
    { seq: sth.size, hash: sth.entryHash, sealedAt: new Date(sth.sealedAt), root: sth.root, keyId: sth.keyId, sealedBy: sth.sealedBy, signature: sth.signature },
    key,
  );
  return ok ? null : "tree head signature invalid";
}
