import type { WriterPhaseStats } from "@/lib/bench/sydent-writer";
import type { Summary } from "@/lib/bench/stats";
import type { ErasureVerification } from "@/lib/bench/erasure-verify";
import type { SlowWait, StepKindStats } from "@/lib/bench/erasure-attrib";

// The benchmark's result object (printed as a table, written as JSON to .tmp/bench/results-<date>.json).

export type BenchOnly = "search" | "package" | "erasure" | "all";

export type BenchOptions = {
  bindings: number;
  iterations: number;
  only: BenchOnly;
  seed: string;
  /** Writer pause between transactions (Sydent-like load), ms. */
  writerIntervalMs: number;
  /** Subjects erased by the erasure measurement (default 1000). */
  erasureSubjects?: number;
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

export type ErasureBenchResult = {
  requestedSubjects: number;
  /** Subjects actually erased (distinct people found among the picked bound 3PIDs). */
  subjects: number;
  writerIntervalMs: number;
  /** The cached files that were copied (the copies are deleted afterwards). */
  copiesOf: string[];
  /** One untimed-for-throughput search first: builds the per-connection sgAssoc index. */
  warmupSearchMs: number;
  totalMs: number;
  subjectsPerSecond: number;
  /** Per subject: search (expand, no log scan), request + approved job (plan included), runErasureJob. */
  perSubject: { total: Summary; search: Summary; jobSetup: Summary; engine: Summary };
  engineStepsRun: number;
  /** Engine time per step kind and server (ErasureStep startedAt..doneAt). */
  stepKinds: StepKindStats;
  /** The writer's transactions that waited >= 1 s or got "database is locked", with what ran then. */
  slowWaits: SlowWait[];
  /** Job states after runErasureJob (phase2_pending: tombstones still owed to a peer). */
  jobStates: Record<string, number>;
  pausedReasons: string[];
  writer: WriterPhaseStats[];
  /** The writer's statistics for the erasure phase itself. */
  duringErasure: WriterPhaseStats | null;
  totalBusyErrors: number;
  longestWaitMs: number;
  verification: ErasureVerification;
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
  erasure: ErasureBenchResult | null;
  /** Differences between Custodian's answers and the hand-SQL answers (should be empty). */
  answerMismatches: string[];
};
