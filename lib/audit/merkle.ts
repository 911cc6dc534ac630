import { EMPTY_ROOT_BIN, FrontierBin, leafHashBin, nodeHashBin } from "@/lib/audit/hash-core.mjs";

// RFC 6962 / RFC 9162 Merkle tree over the access log. Leaf i (0-based) is entry seq i+1.
//   leaf hash = SHA-256(0x00 || the entry's 32-byte chain hash)   (entry hash: lib/audit/chain.ts)
//   node hash = SHA-256(0x01 || left || right)
// The leaf data is the entry's chain hash (not its canonical bytes): that hash already commits to
// every field, so verification hashes each entry's bytes once and the tree costs one more small
// hash per leaf. MTH of n leaves splits at k = the largest power of two below n (RFC 6962 2.1).
// Proof generation reads complete, aligned subtrees through a NodeSource (lib/audit/tree-store.ts
// caches those of 256 leaves and up); verification below needs nothing but the proof.

export const EMPTY_ROOT = Buffer.from(EMPTY_ROOT_BIN, "latin1");

// The hashing itself lives in hash-core.mjs (shared with the verification workers), over binary
// strings; these are the Buffer forms the proofs and their callers use.

export function leafHash(entryHashHex: string): Buffer {
  return Buffer.from(leafHashBin(entryHashHex), "latin1");
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return Buffer.from(nodeHashBin(left.toString("latin1"), right.toString("latin1")), "latin1");
}

/** Largest power of two strictly below n (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isPow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** Hash of the complete subtree of 2^level leaves starting at leaf index * 2^level. */
export type NodeSource = { subtree(level: number, index: number): Promise<Buffer> };

/** MTH(D[start:end]) for ranges that occur in the RFC 6962 recursion (start aligned to the split). */
export async function rangeHash(src: NodeSource, start: number, end: number): Promise<Buffer> {
  const n = end - start;
  if (n <= 0) return EMPTY_ROOT;
  if (isPow2(n) && start % n === 0) return src.subtree(Math.log2(n), start / n);
  const k = splitPoint(n);
  return nodeHash(await rangeHash(src, start, start + k), await rangeHash(src, start + k, end));
}

/** Inclusion path for leaf index m in a tree of `size` leaves (RFC 6962 2.1.1). */
export async function inclusionProof(src: NodeSource, m: number, size: number): Promise<Buffer[]> {
  if (!(m >= 0 && m < size)) throw new RangeError(`leaf ${m} is not in a tree of ${size}`);
  const walk = async (start: number, end: number): Promise<Buffer[]> => {
    const n = end - start;
    if (n === 1) return [];
    const k = splitPoint(n);
    if (m - start < k) return [...(await walk(start, start + k)), await rangeHash(src, start + k, end)];
    return [...(await walk(start + k, end)), await rangeHash(src, start, start + k)];
  };
  return walk(0, size);
}

/** Consistency proof between sizes first <= second (RFC 6962 2.1.2). */
export async function consistencyProof(src: NodeSource, first: number, second: number): Promise<Buffer[]> {
  if (!(first >= 0 && first <= second)) throw new RangeError(`no consistency proof from ${first} to ${second}`);
  if (first === 0 || first === second) return [];
  const sub = async (m: number, start: number, end: number, complete: boolean): Promise<Buffer[]> => {
    const n = end - start;
    if (m === n) return complete ? [] : [await rangeHash(src, start, end)];
    const k = splitPoint(n);
    if (m <= k) return [...(await sub(m, start, start + k, complete)), await rangeHash(src, start + k, end)];
    return [...(await sub(m - k, start + k, end, false)), await rangeHash(src, start, start + k)];
  };
  return sub(first, 0, second, true);
}

/** RFC 9162 2.1.3.2. */
export function verifyInclusion(leaf: Buffer, index: number, size: number, path: Buffer[], root: Buffer): boolean {
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) (fn = Math.floor(fn / 2)), (sn = Math.floor(sn / 2));
    } else r = nodeHash(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 2.1.4.2, plus the trivial cases (first = 0, first = second). */
export function verifyConsistency(first: number, second: number, firstRoot: Buffer, secondRoot: Buffer, proof: Buffer[]): boolean {
  if (!(first >= 0 && first <= second)) return false;
  if (first === 0) return proof.length === 0;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  const path = isPow2(first) ? [firstRoot, ...proof] : [...proof];
  if (path.length === 0) return false;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) (fn = Math.floor(fn / 2)), (sn = Math.floor(sn / 2));
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) (fn = Math.floor(fn / 2)), (sn = Math.floor(sn / 2));
    } else sr = nodeHash(sr, c);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}

/**
 * Streaming root over Buffers (a FrontierBin underneath: lib/audit/hash-core.mjs): the compact
 * range of all leaves so far, so the root at any size is a fold of at most ~24 hashes. Hot loops
 * (verification, the witness) use FrontierBin directly and skip the Buffer conversions.
 */
export class MerkleFrontier {
  private f: FrontierBin;
  /** Called with every complete subtree as it closes (level >= 1), e.g. to check a cache. */
  constructor(onComplete?: (level: number, index: number, hash: Buffer) => void) {
    this.f = new FrontierBin(onComplete ? (level, index, h) => onComplete(level, index, Buffer.from(h, "latin1")) : undefined);
  }
  get size(): number {
    return this.f.size;
  }
  push(leaf: Buffer): void {
    this.f.push(leaf.toString("latin1"));
  }
  root(): Buffer {
    return Buffer.from(this.f.rootBin(), "latin1");
  }
}

/** In-memory source over leaf hashes (tests, small trees, evidence packs). */
export function memorySource(leaves: Buffer[]): NodeSource {
  const memo = new Map<string, Buffer>();
  const sub = (level: number, index: number): Buffer => {
    if (level === 0) {
      const l = leaves[index];
      if (!l) throw new RangeError(`leaf ${index} missing`);
      return l;
    }
    const key = `${level}:${index}`;
    let h = memo.get(key);
    if (!h) memo.set(key, (h = nodeHash(sub(level - 1, index * 2), sub(level - 1, index * 2 + 1))));
    return h;
  };
  return { subtree: async (level, index) => sub(level, index) };
}
