import type crypto from "node:crypto";
import { z } from "zod";
import { db } from "@/lib/db";
import { keyIdOf, parsePublicKey, rawPublicKey } from "@/lib/audit/checkpoint-key";
import { leafHash, verifyInclusion } from "@/lib/audit/merkle";
import { shapeProblems } from "@/lib/audit/offline-check";
import { latestSth } from "@/lib/audit/proofs";
import { parseSth, sthSignatureProblem, type SignedTreeHead } from "@/lib/audit/sth";
import { inclusionProofHex } from "@/lib/audit/tree-store";

// Inclusion proofs for the "who accessed your data" part of an access package
// (who-accessed-proofs.json): each entry carries its seq, the number in who-accessed.csv's seq
// column, so a row and its proof are matched by seq, never by position. Each proof shows that the
// entry with that hash is leaf seq-1 of the tree whose root the signed tree head signs. A proof
// shows that a listed entry is in the log; it cannot show that no entry was left off the list.
// The person cannot recompute an entry's hash (it covers staff names and notes they are not
// given), but anyone holding the package can later have an auditor, a witness or a regulator
// confirm those (seq, hash) pairs are still in the log: removing or changing one breaks
// consistency with this head. Entries recorded after the latest head are listed as pending.

export const PROOFS_FORMAT = "custodian-inclusion-proofs-v1";

export type InclusionProofs = {
  format: typeof PROOFS_FORMAT;
  sth: SignedTreeHead | null;
  entries: { seq: number; entryHash: string; leafIndex: number; proof: string[] }[];
  pending: number[];
  howToCheck: string;
};

export const HOW_TO_CHECK =
  "Each entry's seq is the seq column of who-accessed.csv. leaf = SHA-256(0x00 || bytes of entryHash); fold the proof per RFC 9162 " +
  "section 2.1.3.2 to the root of sth.size leaves (leaf index seq-1); compare with sth.root; a seq listed in pending must be greater than sth.size; check sth.signature (Ed25519) over the lines custodian-sth-v2, size, root, entryHash, sealedAt, keyId, sealedBy " +
  "with the organisation's published public key. Custodian: npm run cli -- audit:check-proofs --file who-accessed-proofs.json --public-key <key.pub>.";

export async function inclusionProofsFor(entries: { seq: number; hash: string }[], howToCheck = HOW_TO_CHECK): Promise<InclusionProofs> {
  const sth = await latestSth(db());
  const out: InclusionProofs = { format: PROOFS_FORMAT, sth, entries: [], pending: [], howToCheck };
  for (const e of entries) {
    if (!sth || e.seq > sth.size) out.pending.push(e.seq);
    else out.entries.push({ seq: e.seq, entryHash: e.hash, leafIndex: e.seq - 1, proof: await inclusionProofHex(db(), e.seq, sth.size, false) });
  }
  return out;
}

const HEX64 = z.string().regex(/^[0-9a-f]{64}$/, "not 64 lowercase hex");
const SEQ = z.int("not a whole number").min(1, "not a positive whole number");
const ProofsFileSchema = z.object({
  format: z.literal(PROOFS_FORMAT),
  sth: z.unknown(),
  entries: z.array(z.unknown()),
  pending: z.array(z.unknown()),
});
const EntrySchema = z.object({ seq: SEQ, entryHash: HEX64, leafIndex: z.int("not a whole number").min(0), proof: z.array(HEX64) });

export type ProofsCheck = {
  /** Entries whose proof was checked against the head (whether it held or not). */
  checked: number;
  pending: number;
  /** Every fault found, each named; empty when the file is intact. */
  problems: string[];
  /** Set when the check could not be made at all (an unusable pinned key): not a verdict on the file. */
  couldNotCheck?: string;
};

/** The detail evidence packs need beside the verdict: the head, and which seqs are proven or pending. */
export type ProofsInspection = ProofsCheck & { sth: SignedTreeHead | null; proven: Map<number, string>; pendingSeqs: Set<number> };

/** A pinned key given as text (SPKI PEM or base64 raw) or already parsed; a message when unusable. */
export function pinnedKeyOf(pinned: string | crypto.KeyObject | undefined): { key?: crypto.KeyObject; problem?: string } {
  if (pinned === undefined) return {};
  if (typeof pinned !== "string") return { key: pinned };
  try {
    return { key: parsePublicKey(pinned) };
  } catch (e) {
    return { problem: `pinned public key: ${(e as Error).message}` };
  }
}

export const keyIdOfKey = (k: crypto.KeyObject) => keyIdOf(rawPublicKey(k));

/**
 * Offline check of a proofs file (audit:check-proofs, evidence packs). Problems: a shape that is
 * not the format's (each field named), no signed tree head, a head whose signature fails (or is
 * not by the pinned key), a proof that does not lead to the signed root, an entry beyond the head,
 * an entry listed twice, and an entry listed as pending although the head already covers it (its
 * proof was left out). Without a pinned key the head is only checked against the key it carries.
 */
export function inspectInclusionProofs(json: unknown, pinned?: string | crypto.KeyObject, label = "proofs"): ProofsInspection {
  const out: ProofsInspection = { checked: 0, pending: 0, problems: [], sth: null, proven: new Map(), pendingSeqs: new Set() };
  const pin = pinnedKeyOf(pinned);
  if (pin.problem) return { ...out, couldNotCheck: pin.problem };
  const top = ProofsFileSchema.safeParse(json);
  if (!top.success) {
    const fmt = (json as { format?: unknown } | null)?.format;
    if (!json || typeof json !== "object" || Array.isArray(json) || fmt !== PROOFS_FORMAT) out.problems.push(`not a ${PROOFS_FORMAT} file`);
    else out.problems.push(...shapeProblems(label, top.error));
    return out;
  }
  const p = top.data;
  const entries: z.infer<typeof EntrySchema>[] = [];
  p.entries.forEach((raw, i) => {
    const e = EntrySchema.safeParse(raw);
    if (e.success) entries.push(e.data);
    else out.problems.push(...shapeProblems(`${label}: entries[${i}]`, e.error));
  });
  p.pending.forEach((raw, i) => {
    const s = SEQ.safeParse(raw);
    if (!s.success) out.problems.push(`${label}: pending[${i}]: not a positive whole number`);
    else if (out.pendingSeqs.has(s.data)) out.problems.push(`entry ${s.data}: listed as pending more than once`);
    else out.pendingSeqs.add(s.data);
  });
  out.pending = out.pendingSeqs.size;
  if (p.sth === null || p.sth === undefined) {
    out.problems.push("no signed tree head: nothing in this file can be checked");
    return out;
  }
  let sth: SignedTreeHead;
  try {
    sth = parseSth(p.sth);
  } catch (e) {
    out.problems.push(`tree head: ${(e as Error).message}`);
    return out;
  }
  out.sth = sth;
  const bad = sthSignatureProblem(sth, pin.key);
  if (bad) out.problems.push(bad);
  const root = Buffer.from(sth.root, "hex");
  for (const e of entries) {
    out.checked++;
    if (out.proven.has(e.seq)) {
      out.problems.push(`entry ${e.seq}: listed more than once`);
      continue;
    }
    out.proven.set(e.seq, e.entryHash);
    if (e.leafIndex !== e.seq - 1) out.problems.push(`entry ${e.seq}: leafIndex ${e.leafIndex} is not seq - 1`);
    if (e.seq > sth.size) {
      out.problems.push(`entry ${e.seq}: beyond the tree head (size ${sth.size}), so it cannot have a proof under it`);
      continue;
    }
    const ok = verifyInclusion(leafHash(e.entryHash), e.seq - 1, sth.size, e.proof.map((x) => Buffer.from(x, "hex")), root);
    if (!ok) out.problems.push(`entry ${e.seq}: inclusion proof does not lead to the signed root`);
  }
  for (const seq of out.pendingSeqs) {
    if (out.proven.has(seq)) out.problems.push(`entry ${seq}: listed both with a proof and as pending`);
    else if (seq <= sth.size) out.problems.push(`entry ${seq}: listed as pending, but the tree head (size ${sth.size}) covers it: its inclusion proof is missing`);
  }
  return out;
}

/** Offline check of a proofs file: the verdict only (see inspectInclusionProofs). */
export function checkInclusionProofs(json: unknown, pinned?: string | crypto.KeyObject): ProofsCheck {
  const { checked, pending, problems, couldNotCheck } = inspectInclusionProofs(json, pinned);
  return couldNotCheck ? { checked, pending, problems, couldNotCheck } : { checked, pending, problems };
}

/** What an unpinned check must say, loudly, beside its result. */
export const UNPINNED_WARNING =
  "no public key pinned: this only shows the file is consistent with itself (signed by the key it carries), not who signed it; " +
  "anyone can make such a file with a key of their own. Check again with --public-key and the organisation's published checkpoint-ed25519.pub.";
