import crypto from "node:crypto";
import { keyIdOf, loadCheckpointKey, parsePublicKey, rawPublicKey } from "@/lib/audit/checkpoint-key";
import { appendAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

// Signed retention evidence (custodian-retention-attestation/1). Every audit and enforcement
// produces one: the payload (canonical JSON: keys sorted, no spaces) names the policy and notice
// version, per source and class the oldest record found, the findings, the actions with file
// names and SHA-256 before and after, the time and the operator, and the access-log head
// (seq + hash) it follows. It is signed with the checkpoint key (Ed25519, lib/audit/checkpoint-key.ts)
// over "custodian-retention-attestation-v1\n" + payload. In the same transaction an access-log
// entry "retention.attest" records the payload's SHA-256: the attestation points back into the
// chain and the chain points at the attestation, so neither can be swapped afterwards.
// A downloaded file verifies offline with only the public key (`retention:verify`).

export const ATTESTATION_FORMAT = "custodian-retention-attestation/1";
const DOMAIN = "custodian-retention-attestation-v1\n";

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
}

const sha256 = (s: string) => crypto.createHash("sha256").update(s, "utf8").digest("hex");

export type AttestationBody = { kind: "audit" | "enforcement"; noticeVersion: string; overdue: boolean; findings: number; [k: string]: unknown };

/** `asOf` is the time the retention was judged at (normally the clock); createdAt is always the clock. */
export async function createAttestation(actor: Actor, body: AttestationBody, asOf = new Date()) {
  const now = new Date();
  const key = loadCheckpointKey(env().checkpointKeyFile);
  return db().$transaction(async (tx) => {
    const head = await tx.accessLogHead.findUnique({ where: { id: 1 } });
    const payload = canonicalJson({
      format: ATTESTATION_FORMAT,
      createdAt: now.toISOString(),
      judgedAsOf: asOf.toISOString(),
      operator: { label: actor.label, role: actor.role },
      follows: { accessLogSeq: head?.seq ?? 0, accessLogHash: head?.hash ?? "0".repeat(64) },
      ...body,
    });
    const payloadSha256 = sha256(payload);
    const signature = crypto.sign(null, Buffer.from(DOMAIN + payload, "utf8"), key.privateKey).toString("base64");
    const entry = await appendAccessLog(tx, { actor, action: "retention.attest", outcome: "ok", at: now, details: { kind: body.kind, payloadSha256, overdue: body.overdue, findings: body.findings } });
    return tx.retentionAttestation.create({
      data: { kind: body.kind, createdAt: now, operatorLabel: actor.label, accessLogSeq: entry.seq, payload, payloadSha256, signature, publicKey: key.publicKeyB64, keyId: key.keyId, overdue: body.overdue, findings: body.findings },
    });
  });
}

type Row = { id: string; payload: string; signature: string; publicKey: string; keyId: string; accessLogSeq: number | null; payloadSha256: string };

/** The downloadable file: everything needed to verify offline. */
export function attestationFile(r: Row): string {
  return JSON.stringify({ format: ATTESTATION_FORMAT, id: r.id, accessLogSeq: r.accessLogSeq, payloadSha256: r.payloadSha256, keyId: r.keyId, publicKey: r.publicKey, signature: r.signature, payload: r.payload }, null, 2) + "\n";
}

export type VerifyResult = { ok: boolean; problems: string[]; keyPinned: boolean; keyId: string | null; payload: Record<string, unknown> | null };

/** Checks a downloaded attestation offline. With `pinnedKey` (PEM or base64), the signer must be that key. */
export function verifyAttestationFile(text: string, pinnedKey?: string): VerifyResult {
  const problems: string[] = [];
  let file: Record<string, unknown>;
  try {
    file = JSON.parse(text);
  } catch {
    return { ok: false, problems: ["The file is not JSON."], keyPinned: false, keyId: null, payload: null };
  }
  if (file.format !== ATTESTATION_FORMAT) problems.push(`Unknown format (expected ${ATTESTATION_FORMAT}).`);
  const payload = typeof file.payload === "string" ? file.payload : "";
  let parsed: Record<string, unknown> | null = null;
  try {
    parsed = JSON.parse(payload);
    if (canonicalJson(parsed) !== payload) problems.push("The payload is not in canonical form (it was re-written).");
  } catch {
    problems.push("The payload is not JSON.");
  }
  if (file.payloadSha256 !== sha256(payload)) problems.push("payloadSha256 does not match the payload.");
  let key: crypto.KeyObject | null = null;
  try {
    key = parsePublicKey(String(pinnedKey ?? file.publicKey ?? ""));
  } catch (e) {
    problems.push(`Public key: ${(e as Error).message}.`);
  }
  const keyId = key ? keyIdOf(rawPublicKey(key)) : null;
  if (key && pinnedKey && file.publicKey !== rawPublicKey(key).toString("base64")) problems.push("Signed by another key than the pinned public key.");
  if (key && file.keyId !== keyId) problems.push("keyId does not match the public key.");
  if (key) {
    const ok = crypto.verify(null, Buffer.from(DOMAIN + payload, "utf8"), key, Buffer.from(String(file.signature ?? ""), "base64"));
    if (!ok) problems.push("The Ed25519 signature does not verify: the attestation was changed or not signed by this key.");
  }
  return { ok: problems.length === 0, problems, keyPinned: !!pinnedKey, keyId, payload: parsed };
}
