// Every statement against an identity database is timed, so pages and the CLI can show how long
// each read held SQLite's shared lock (target: < 50 ms per statement).

export type Timing = { label: string; ms: number };

export function timed<T>(timings: Timing[], label: string, run: () => T): T {
  const start = performance.now();
  try {
    return run();
  } finally {
    timings.push({ label, ms: Math.round((performance.now() - start) * 100) / 100 });
  }
}

export function slowest(timings: Timing[]): Timing | null {
  return timings.reduce<Timing | null>((max, t) => (!max || t.ms > max.ms ? t : max), null);
}
