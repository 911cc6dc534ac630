import { summarise, type Summary } from "@/lib/bench/stats";
import type { WriterPhaseStats } from "@/lib/bench/sydent-writer";

// Attribution for the erasure benchmark: time per engine step kind (from the ErasureStep rows'
// startedAt / doneAt in the benchmark's console DB) and, for each of the writer's slow or
// "database is locked" transactions, what Custodian was doing at that moment (a step kind and
// server, or a search). Counts and kinds only, no identifiers.

export type StepRow = { kind: string; serverLabel: string; startedAt: Date | null; doneAt: Date | null };
export type Window = { what: string; fromMs: number; toMs: number };

export type StepKindStats = Record<string, Summary & { totalMs: number }>;
export type SlowWait = { waitMs: number; busy: boolean; during: string[] };

export function stepWindows(rows: StepRow[]): Window[] {
  return rows
    .filter((r) => r.startedAt && r.doneAt)
    .map((r) => ({ what: `${r.kind} (${r.serverLabel})`, fromMs: r.startedAt!.getTime(), toMs: r.doneAt!.getTime() }));
}

export function stepKindStats(rows: StepRow[]): StepKindStats {
  const by = new Map<string, number[]>();
  for (const w of stepWindows(rows)) by.set(w.what, [...(by.get(w.what) ?? []), w.toMs - w.fromMs]);
  return Object.fromEntries(
    [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, xs]) => [k, { ...summarise(xs), totalMs: xs.reduce((n, x) => n + x, 0) }]),
  );
}

export function attributeSlowWaits(writer: WriterPhaseStats[], windows: Window[]): SlowWait[] {
  const out: SlowWait[] = [];
  for (const w of writer) {
    for (const s of w.slow ?? []) {
      const [from, to] = [s.atMs, s.atMs + s.waitMs];
      const during = [...new Set(windows.filter((x) => x.fromMs <= to && x.toMs >= from).map((x) => x.what))];
      out.push({ waitMs: s.waitMs, busy: s.busy, during: during.length ? during : [`other (${w.phase})`] });
    }
  }
  return out;
}
