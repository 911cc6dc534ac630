import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  consistencyProof, EMPTY_ROOT, inclusionProof, leafHash, memorySource, MerkleFrontier, nodeHash, rangeHash,
  splitPoint, verifyConsistency, verifyInclusion,
} from "@/lib/audit/merkle";

// Checked against a direct transcription of RFC 6962 2.1's MTH definition, for every size up to
// 40 and every leaf / earlier size, plus a known answer for the empty tree.

const sha = (...parts: Buffer[]) => crypto.createHash("sha256").update(Buffer.concat(parts)).digest();
function mth(d: string[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(Buffer.from([0]), Buffer.from(d[0], "hex"));
  const k = splitPoint(d.length);
  return sha(Buffer.from([1]), mth(d.slice(0, k)), mth(d.slice(k)));
}
const entries = Array.from({ length: 40 }, (_, i) => crypto.createHash("sha256").update(`entry ${i + 1}`).digest("hex"));
const leaves = entries.map(leafHash);
const src = memorySource(leaves);

describe("RFC 6962 Merkle tree", () => {
  it("empty root is SHA-256 of nothing; leaf and node prefixes are 0x00 / 0x01", () => {
    expect(EMPTY_ROOT.toString("hex")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(leafHash(entries[0])).toEqual(sha(Buffer.from([0]), Buffer.from(entries[0], "hex")));
    expect(nodeHash(leaves[0], leaves[1])).toEqual(sha(Buffer.from([1]), leaves[0], leaves[1]));
  });

  it("roots from the node source and from the streaming frontier equal the RFC definition", async () => {
    const f = new MerkleFrontier();
    for (let n = 1; n <= 40; n++) {
      f.push(leaves[n - 1]);
      const want = mth(entries.slice(0, n));
      expect(await rangeHash(src, 0, n)).toEqual(want);
      expect(f.root()).toEqual(want);
    }
  });

  it("every inclusion proof verifies, and fails for another leaf, index or root", async () => {
    for (let n = 1; n <= 40; n++) {
      const root = mth(entries.slice(0, n));
      for (let m = 0; m < n; m++) {
        const p = await inclusionProof(src, m, n);
        expect(verifyInclusion(leaves[m], m, n, p, root)).toBe(true);
        if (n > 1) {
          expect(verifyInclusion(leaves[(m + 1) % n], m, n, p, root)).toBe(false);
          expect(verifyInclusion(leaves[m], (m + 1) % n, n, p, root)).toBe(false);
        }
        expect(verifyInclusion(leaves[m], m, n, p, EMPTY_ROOT)).toBe(false);
      }
    }
  });

  it("every consistency proof verifies; a rewritten history does not", async () => {
    const forged = [...entries];
    forged[2] = crypto.createHash("sha256").update("forged").digest("hex");
    for (let n = 1; n <= 40; n++) {
      const root = mth(entries.slice(0, n));
      for (let m = 1; m <= n; m++) {
        const p = await consistencyProof(src, m, n);
        expect(verifyConsistency(m, n, mth(entries.slice(0, m)), root, p)).toBe(true);
        if (m >= 3) {
          const fp = await consistencyProof(memorySource(forged.map(leafHash)), m, n);
          expect(verifyConsistency(m, n, mth(entries.slice(0, m)), mth(forged.slice(0, n)), fp)).toBe(false);
        }
      }
    }
  });
});
