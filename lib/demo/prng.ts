import crypto from "node:crypto";

// A small, fast, seeded PRNG (sfc32) for the demo generator. Each concern (bindings, invites,
// sessions, logs, staff...) gets its own named stream, so changing how one part consumes random
// numbers never shifts the others, and the same seed always gives the same data.

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export type Rng = {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Weighted choice: weights need not sum to 1. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  alnum(n: number): string;
  letters(n: number): string;
  digits(n: number): string;
  hex(n: number): string;
  bytes(n: number): Buffer;
};

function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** A PRNG for `stream` under `seed`: sha256(seed/stream) gives the 128-bit state. */
export function createRng(seed: string, stream: string): Rng {
  const h = crypto.createHash("sha256").update(`${seed}/${stream}`).digest();
  const raw = sfc32(h.readUInt32LE(0), h.readUInt32LE(4), h.readUInt32LE(8), h.readUInt32LE(12));
  for (let i = 0; i < 12; i++) raw();
  const fromAlphabet = (alphabet: string, n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(raw() * alphabet.length)];
    return s;
  };
  const rng: Rng = {
    next: raw,
    int: (lo, hi) => lo + Math.floor(raw() * (hi - lo + 1)),
    chance: (p) => raw() < p,
    pick: (items) => items[Math.floor(raw() * items.length)],
    weighted: (items) => {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let r = raw() * total;
      for (const [v, w] of items) {
        r -= w;
        if (r < 0) return v;
      }
      return items[items.length - 1][0];
    },
    alnum: (n) => fromAlphabet(ALNUM, n),
    letters: (n) => fromAlphabet(LETTERS, n),
    digits: (n) => fromAlphabet("0123456789", n),
    hex: (n) => fromAlphabet("0123456789abcdef", n),
    bytes: (n) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = Math.floor(raw() * 256);
      return b;
    },
  };
  return rng;
}
