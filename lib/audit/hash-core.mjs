// @ts-check
// The access log's hot hashing code, shared by the console (lib/audit/merkle.ts, chain.ts,
// verify.ts, witness.ts) and by the verification workers (lib/audit/verify-worker.mjs). Plain
// JavaScript so that a worker thread loads it without a TypeScript loader; types in
// hash-core.d.mts.
//
// Every function computes exactly what the straightforward code computes (SHA-256 through
// node:crypto), with fewer allocations, which is what a per-entry loop over 10M entries pays for:
//   - one-shot crypto.hash instead of a Hash object per call;
//   - fixed scratch buffers for the 33-byte leaf input and the 65-byte node input;
//   - tree hashes kept as "binary strings" (latin1: one char per byte, lossless) instead of
//     Buffers: a 32-char V8 string costs a fraction of a Buffer (no ArrayBuffer per hash).
// Inputs outside the fast path (a stored hash that is not 64 hex characters, a node that is not
// 32 bytes) take the straightforward path, so a tampered row hashes exactly as before.
import crypto from "node:crypto";

const ZERO = Buffer.from([0]);
const ONE = Buffer.from([1]);
const leafIn = Buffer.alloc(33); // 0x00 || 32 bytes
const nodeIn = Buffer.alloc(65); // 0x01 || left || right
nodeIn[0] = 1;

// Buffer's own hexWrite/latin1Write (what buf.write(s, offset, encoding) calls after sorting out
// its arguments, a measurable share of a 33-byte write); buf.write where they are missing.
/** @type {(b: Buffer, s: string, offset: number) => number} */
const hexWrite = typeof (/** @type {any} */ (leafIn).hexWrite) === "function"
  ? (b, s, offset) => /** @type {any} */ (b).hexWrite(s, offset, 32)
  : (b, s, offset) => b.write(s, offset, 32, "hex");
/** @type {(b: Buffer, s: string, offset: number) => number} */
const latin1Write = typeof (/** @type {any} */ (leafIn).latin1Write) === "function"
  ? (b, s, offset) => /** @type {any} */ (b).latin1Write(s, offset, 32)
  : (b, s, offset) => b.write(s, offset, 32, "latin1");

/** Lowercase hex SHA-256 of the UTF-8 bytes of `text` (= createHash("sha256").update(text, "utf8").digest("hex")). */
export function sha256Hex(text) {
  return crypto.hash("sha256", text, "hex");
}

/**
 * RFC 6962 leaf hash SHA-256(0x00 || bytes) of an entry hash given as hex, as a binary string.
 * The bytes are Buffer.from(hex, "hex"), which stops at the first pair that is not hex; a
 * 64-character string of which 32 bytes decode is the fast path.
 * @param {string} entryHashHex
 */
export function leafHashBin(entryHashHex) {
  if (typeof entryHashHex === "string" && entryHashHex.length === 64 && hexWrite(leafIn, entryHashHex, 1) === 32) {
    return crypto.hash("sha256", leafIn, "latin1");
  }
  return crypto.createHash("sha256").update(ZERO).update(Buffer.from(entryHashHex, "hex")).digest("latin1");
}

/**
 * RFC 6962 node hash SHA-256(0x01 || left || right) of two binary strings, as a binary string.
 * @param {string} left @param {string} right
 */
export function nodeHashBin(left, right) {
  if (left.length === 32 && right.length === 32) {
    latin1Write(nodeIn, left, 1);
    latin1Write(nodeIn, right, 33);
    return crypto.hash("sha256", nodeIn, "latin1");
  }
  return crypto.createHash("sha256").update(ONE).update(Buffer.from(left, "latin1")).update(Buffer.from(right, "latin1")).digest("latin1");
}

export const EMPTY_ROOT_BIN = crypto.createHash("sha256").digest("latin1");

/**
 * The root of a compact range given as complete subtrees, largest (leftmost) first: a fold from the right.
 * @param {readonly string[]} hashes
 */
export function foldRootBin(hashes) {
  if (!hashes.length) return EMPTY_ROOT_BIN;
  let r = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) r = nodeHashBin(hashes[i], r);
  return r;
}

/**
 * Streaming RFC 6962 tree over binary-string hashes: the compact range of all leaves so far (one
 * complete subtree per set bit of the size, largest first), so 10M leaves need O(log n) memory and
 * the root at any size is a fold of at most ~24 hashes.
 */
export class FrontierBin {
  /** @param {(level: number, index: number, hash: string) => void} [onComplete] called with every complete subtree as it closes (level >= 1) */
  constructor(onComplete) {
    /** @type {number[]} levels of the subtrees, decreasing */ this.levels = [];
    /** @type {string[]} their hashes */ this.hashes = [];
    this.size = 0;
    this.onComplete = onComplete;
  }

  /** @param {string} leaf */
  push(leaf) {
    const levels = this.levels;
    const hashes = this.hashes;
    const size = ++this.size;
    let h = leaf;
    let l = 0;
    while (levels.length && levels[levels.length - 1] === l) {
      levels.pop();
      h = nodeHashBin(/** @type {string} */ (hashes.pop()), h);
      l++;
      if (this.onComplete) this.onComplete(l, Math.floor(size / 2 ** l) - 1, h);
    }
    levels.push(l);
    hashes.push(h);
  }

  /**
   * Appends a complete subtree of 2^level leaves whose first leaf is at the current size, which
   * must be a multiple of 2^level (as it is for a chunk of 2^k leaves appended at a multiple of 2^k).
   * @param {number} level @param {string} hash
   */
  pushSubtree(level, hash) {
    const width = 2 ** level;
    if (this.size % width !== 0) throw new RangeError(`a subtree of ${width} leaves cannot start at leaf ${this.size}`);
    const levels = this.levels;
    const hashes = this.hashes;
    this.size += width;
    let h = hash;
    let l = level;
    while (levels.length && levels[levels.length - 1] === l) {
      levels.pop();
      h = nodeHashBin(/** @type {string} */ (hashes.pop()), h);
      l++;
      if (this.onComplete) this.onComplete(l, Math.floor(this.size / 2 ** l) - 1, h);
    }
    levels.push(l);
    hashes.push(h);
  }

  rootBin() {
    return foldRootBin(this.hashes);
  }
}
