import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { openReadonly, runChunk, tableShapeOk, type ChunkJob, type ChunkResult } from "@/lib/audit/verify-chunk.mjs";

// The SQLite fast path's chunks (lib/audit/verify-chunk.mjs) run on a pool of worker threads, each
// with its own read-only connection, or in-process with workers = 0. Chunks are aligned ranges of
// chunkSize seqs (a power of two, so that a full chunk is one complete subtree of the tree) and
// are handed out in seq order, at most `window` ahead of the one the caller is consuming, so
// memory stays flat however long the log is. Results come back in seq order.

export type ParallelOptions = {
  /** Worker threads; 0 runs the chunks in this thread. Default: the machine's cores, at most 4. */
  workers?: number;
  /** Entries per chunk, a power of two. Default 16384. */
  chunkSize?: number;
  /** Told which way the file was read in the end (tests: that the fast path is not silently skipped). */
  onPath?: (path: "chunks" | "sequential") => void;
};

export const DEFAULT_CHUNK_SIZE = 16384;

export function defaultWorkers(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

// Computed at run time (not `new Worker(new URL(...))`) so that bundlers leave it alone: only the
// CLI and the bench use the fast path, never the Next.js server.
const workerFile = () => path.join(path.dirname(fileURLToPath(import.meta.url)), "verify-worker.mjs");

type Waiter = { resolve: (r: ChunkResult) => void; reject: (e: Error) => void };

export class ChunkPool {
  private idle: Worker[] = [];
  private all: Worker[] = [];
  private waiting = new Map<Worker, Waiter>();
  private queue: { job: ChunkJob; waiter: Waiter }[] = [];
  private local: Database.Database | null = null;
  private failed: Error | null = null;

  constructor(private file: string, workers: number) {
    if (workers <= 0) {
      this.local = openReadonly(file);
      return;
    }
    for (let i = 0; i < workers; i++) {
      // execArgv: [] — the worker is plain JavaScript and needs none of the parent's loaders (tsx).
      const w = new Worker(workerFile(), { workerData: { file }, execArgv: [] });
      w.on("message", (m: { ok: true; result: ChunkResult } | { ok: false; error: string }) => {
        const waiter = this.waiting.get(w);
        this.waiting.delete(w);
        if (m.ok) waiter?.resolve(m.result);
        else waiter?.reject(new Error(m.error));
        this.idle.push(w);
        this.pump();
      });
      w.on("error", (e) => this.fail(e));
      w.on("exit", (code) => {
        if (code !== 0 || this.waiting.has(w)) this.fail(new Error(`verification worker exited with code ${code}`));
      });
      this.all.push(w);
      this.idle.push(w);
    }
  }

  private fail(e: Error) {
    if (!this.failed) this.failed = e;
    for (const waiter of this.waiting.values()) waiter.reject(e);
    this.waiting.clear();
    for (const q of this.queue.splice(0)) q.waiter.reject(e);
  }

  private pump() {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const { job, waiter } = this.queue.shift()!;
      this.waiting.set(w, waiter);
      w.postMessage(job);
    }
  }

  run(job: ChunkJob): Promise<ChunkResult> {
    if (this.local) {
      try {
        return Promise.resolve(runChunk(this.local, job));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ job, waiter: { resolve, reject } });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.local?.close();
    this.local = null;
    const all = this.all.splice(0);
    this.failed ??= new Error("pool closed");
    for (const q of this.queue.splice(0)) q.waiter.reject(this.failed);
    await Promise.all(all.map((w) => w.terminate()));
  }
}

/** Whether the fast path applies: the table's shape (verify-chunk.mjs) and the seqs it starts and ends at. */
export function sqliteSeqRange(file: string, mode: ChunkJob["mode"]): { min: number; max: number } | null {
  const conn = new Database(file, { readonly: true, fileMustExist: true });
  try {
    if (!tableShapeOk(conn, mode)) return null;
    // Two statements: SQLite answers a lone min() or max() of the rowid from the b-tree's edges,
    // but scans the whole table for both in one SELECT.
    const min = conn.prepare(`SELECT min("seq") FROM "AccessLogEntry"`).pluck().get();
    const max = conn.prepare(`SELECT max("seq") FROM "AccessLogEntry"`).pluck().get();
    if (typeof min !== "number" || typeof max !== "number" || !Number.isSafeInteger(max)) return null;
    return { min, max };
  } finally {
    conn.close();
  }
}

/**
 * Runs the chunks covering seq 1..max in order: `makeJob(from, to)` is called in seq order as chunks
 * are handed out (it may read ahead, e.g. the checkpoints of that range), and results are yielded
 * in seq order with whatever makeJob attached. Stopping early (return/throw) closes the pool.
 */
export async function* chunksInOrder<T>(
  file: string,
  max: number,
  opts: ParallelOptions,
  makeJob: (from: number, to: number) => Promise<{ job: ChunkJob; extra: T }>,
): AsyncGenerator<{ result: ChunkResult; extra: T }> {
  const size = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!(size >= 1 && (size & (size - 1)) === 0)) throw new RangeError(`chunk size ${size} is not a power of two`);
  const workers = opts.workers ?? defaultWorkers();
  const window = Math.max(2, workers * 3);
  const pool = new ChunkPool(file, workers);
  const pending: Promise<{ result: ChunkResult; extra: T }>[] = [];
  let next = 1;
  const dispatch = async () => {
    if (next > max) return false;
    const from = next;
    const to = Math.min(max, from + size - 1);
    next = to + 1;
    const { job, extra } = await makeJob(from, to);
    const p = pool.run(job).then((result) => ({ result, extra }));
    p.catch(() => {}); // awaited in order below; a later chunk's failure must not go unhandled meanwhile
    pending.push(p);
    return true;
  };
  try {
    while (pending.length < window && (await dispatch()));
    while (pending.length) {
      const r = await pending.shift()!;
      await dispatch();
      yield r;
    }
  } finally {
    await pool.close();
  }
}
