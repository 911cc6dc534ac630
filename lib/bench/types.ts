import type { WriterPhaseStats } from "@/lib/bench/sydent-writer";
import type { Summary } from "@/lib/bench/stats";

// The benchmark's result object (printed as a table, written as JSON to .tmp/bench/results-<date>.json).

export type BenchOnly = "search" | "package" | "all";

export type BenchOptions = {
  bindings: number;
  iterations: number;
  only: BenchOnly;
  seed: string;
  /** Writer pause between transactions (Sydent-like load), ms. */
  writerIntervalMs: number;
  /** Where cached demo databases live (default .tmp/bench). */
  cacheRoot?: string;
  onProgress?: (message: string) => void;
};

export type Measurement = {
  key: string;
  label: string;
  custodian: Summary | null;
  hand: Summary | null;
  /** custodian median / hand median. */
  ratio: number | null;
  /** Upper bound the issue sets for the ratio, when it sets one. */
  target: number | null;
  note?: string;
};

export type ConcurrencyResult = {
  writerIntervalMs: number;
  /** Copy the writer wrote to (deleted afterwards). */
  writableCopyOf: string;
  searches: Measurement[];
  writer: WriterPhaseStats[];
  /** Sum of "database is locked" errors over every phase. */
  totalBusyErrors: number;
  longestWaitMs: number;
};

export type BenchResult = {
  schema: "custodian-bench/1";
  startedAt: string;
  finishedAt: string;
  options: Omit<BenchOptions, "onProgress" | "cacheRoot">;
  machine: {
    nproc: number; cpuModel: string; memoryGiB: number; node: string; platform: string; sqlite: string;
    /** 1-minute load average at the start and the end: other work on the machine skews every figure. */
    loadAverage: { start: number; end: number };
  };
  data: {
    dir: string;
    generatedNow: boolean;
    generateMs: number | null;
    servers: { label: string; serverName: string; sizeBytes: number; rows: Record<string, number> }[];
  };
  implementation: { search: "custodian" | "stub"; package: "custodian" | "not measured"; notes: string[] };
  measurements: Measurement[];
  concurrency: ConcurrencyResult | null;
  /** Differences between Custodian's answers and the hand-SQL answers (should be empty). */
  answerMismatches: string[];
};
