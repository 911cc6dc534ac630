import type { Database } from "better-sqlite3";

export const TEXT_COLUMNS: string[];
export const AT_ISO_SQL: string;
export const CANONICAL_SQL: string;

/** "verify": canonical hash, links, seals and tree; "tree": the tree of the stored hashes only (audit:witness). */
export type ChunkJob = { mode: "verify" | "tree"; from: number; to: number; sizes: number[] };

export type ChunkResult = {
  from: number;
  to: number;
  /** Rows read (from..from+count-1, when contiguous). */
  count: number;
  /** The rows are exactly seq from..to; otherwise nothing else in the result may be used. */
  contiguous: boolean;
  /** A value json_array cannot serialise (a BLOB): use the sequential verification. */
  unsupported: boolean;
  firstPrevHash: string | null;
  lastHash: string | null;
  /** seqs whose canonical text does not hash to the stored hash. */
  mismatches: number[];
  /** seqs whose at SQLite did not render: hash them with the reference serialiser. */
  deferred: number[];
  /** seqs (after from) whose prevHash is not the previous entry's hash. */
  linkBreaks: number[];
  /** seqs of "accessLog.seal" entries with outcome "ok". */
  seals: number[];
  /** For each requested size in the chunk: the stored hash of entry `size` and the chunk's compact range up to it. */
  at: { size: number; hash: string; levels: number[]; hashes: string[] }[];
  /** The chunk's compact range (binary-string hashes, largest subtree first). */
  levels: number[];
  hashes: string[];
};

export function isoAt(text: string, quoteIndex: number): boolean;
export function openReadonly(file: string): Database;
export function tableShapeOk(db: Database, mode: "verify" | "tree"): boolean;
export function runChunk(db: Database, job: ChunkJob): ChunkResult;
