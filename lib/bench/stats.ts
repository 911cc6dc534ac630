// Summary statistics for the benchmark: median and p95 (nearest-rank) of per-iteration times.

export type Summary = { n: number; medianMs: number; p95Ms: number; minMs: number; maxMs: number };

const round = (x: number) => Math.round(x * 1000) / 1000;

function nearestRank(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function summarise(samples: number[]): Summary {
  if (samples.length === 0) return { n: 0, medianMs: 0, p95Ms: 0, minMs: 0, maxMs: 0 };
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { n: s.length, medianMs: round(mid), p95Ms: round(nearestRank(s, 0.95)), minMs: round(s[0]), maxMs: round(s[s.length - 1]) };
}

/** Custodian time / hand time, on medians (null when the hand time is zero or missing). */
export function ratio(custodian: Summary | null, hand: Summary | null): number | null {
  if (!custodian || !hand || hand.medianMs <= 0) return null;
  return Math.round((custodian.medianMs / hand.medianMs) * 100) / 100;
}

export async function timeIt(run: () => unknown): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/**
 * Runs each contender once per subject, interleaved (A, B, A, B, ...) so that neither benefits
 * from warmer caches, after `warmup` untimed rounds. Returns the raw samples per contender.
 */
export async function interleaved<S>(
  subjects: S[],
  contenders: Record<string, (s: S) => unknown>,
  warmup = 1,
): Promise<Record<string, number[]>> {
  const names = Object.keys(contenders);
  for (let i = 0; i < Math.min(warmup, subjects.length); i++) for (const k of names) await contenders[k](subjects[i]);
  const out: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
  for (const [i, s] of subjects.entries()) {
    const order = i % 2 ? [...names].reverse() : names;
    for (const k of order) out[k].push(await timeIt(() => contenders[k](s)));
  }
  return out;
}
