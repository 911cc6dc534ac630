import { db } from "@/lib/db";
import { leafHash, verifyInclusion } from "@/lib/audit/merkle";
import { latestSth } from "@/lib/audit/proofs";
import { parseSth, sthSignatureProblem, type SignedTreeHead } from "@/lib/audit/sth";
import { inclusionProofHex } from "@/lib/audit/tree-store";
import { parsePublicKey } from "@/lib/audit/checkpoint-key";

// Inclusion proofs for the "who accessed your data" part of an access package
// (who-accessed-proofs.json): entry i of `entries` is row i of who-accessed.csv. Each proof shows
// that the entry with that hash is leaf seq-1 of the tree whose root the signed tree head signs.
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
  "leaf = SHA-256(0x00 || bytes of entryHash); fold the proof per RFC 9162 section 2.1.3.2 to the root of sth.size leaves; " +
  "compare with sth.root; check sth.signature (Ed25519) over the lines custodian-sth-v2, size, root, entryHash, sealedAt, keyId, sealedBy " +
  "with the organisation's published public key. Custodian: npm run cli -- audit:check-proofs --file who-accessed-proofs.json --public-key <key.pub>.";

export async function inclusionProofsFor(entries: { seq: number; hash: string }[]): Promise<InclusionProofs> {
  const sth = await latestSth(db());
  const out: InclusionProofs = { format: PROOFS_FORMAT, sth, entries: [], pending: [], howToCheck: HOW_TO_CHECK };
  for (const e of entries) {
    if (!sth || e.seq > sth.size) out.pending.push(e.seq);
    else out.entries.push({ seq: e.seq, entryHash: e.hash, leafIndex: e.seq - 1, proof: await inclusionProofHex(db(), e.seq, sth.size, false) });
  }
  return out;
}

/** Offline check of a proofs file (audit:check-proofs, evidence packs): problems, empty when fine. */
export function checkInclusionProofs(json: unknown, publicKeyPem?: string): { checked: number; pending: number; problems: string[] } {
  const p = json as InclusionProofs;
  const problems: string[] = [];
  if (!p || p.format !== PROOFS_FORMAT) return { checked: 0, pending: 0, problems: [`not a ${PROOFS_FORMAT} file`] };
  if (!p.sth) return { checked: 0, pending: p.pending?.length ?? 0, problems: p.entries?.length ? ["entries without a signed tree head"] : [] };
  let sth: SignedTreeHead;
  try {
    sth = parseSth(p.sth);
  } catch (e) {
    return { checked: 0, pending: 0, problems: [(e as Error).message] };
  }
  const bad = sthSignatureProblem(sth, publicKeyPem ? parsePublicKey(publicKeyPem) : undefined);
  if (bad) problems.push(bad);
  const root = Buffer.from(sth.root, "hex");
  for (const e of p.entries ?? []) {
    const ok = /^[0-9a-f]{64}$/.test(e.entryHash) && Array.isArray(e.proof) &&
      verifyInclusion(leafHash(e.entryHash), e.seq - 1, sth.size, e.proof.map((x) => Buffer.from(x, "hex")), root);
    if (!ok) problems.push(`entry ${e.seq}: inclusion proof does not lead to the signed root`);
  }
  return { checked: p.entries?.length ?? 0, pending: p.pending?.length ?? 0, problems };
}
