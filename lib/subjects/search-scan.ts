import type Database from "better-sqlite3";

// Statement timing and chunked full scans for subject searches on identity databases.
// Sydent runs SQLite in rollback-journal mode with a 5 s busy timeout: a long read blocks its
// writers. Columns without an index (mxid, sender, lookup_hash on local, session addresses,
// tokens.user_id, sgAssoc) are therefore scanned in short autocommit statements over rowid
// ranges of SCAN_CHUNK rows, with a macrotask yield (setImmediate) between chunks. The range
// bounds come from the rowid b-tree itself (`id > ? ORDER BY id LIMIT 1 OFFSET n`), so sparse
// ids (session ids are random 31-bit numbers) cost no more than dense ones.

export const SCAN_CHUNK = 5000;
/** Upper bound on "?" placeholders per IN (...) list. */
export const IN_LIMIT = 500;

export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

type Stat = { total: number; max: number; n: number };

/** Accumulates per-label statement timings (total, slowest, count) for one server. */
export class StatementTimer {
  private stats = new Map<string, Stat>();

  run<T>(label: string, fn: () => T): T {
    const start = performance.now();
    try {
      return fn();
    } finally {
      const ms = performance.now() - start;
      const s = this.stats.get(label) ?? { total: 0, max: 0, n: 0 };
      s.total += ms;
      s.max = Math.max(s.max, ms);
      s.n += 1;
      this.stats.set(label, s);
    }
  }

  /** `<label>` = total ms; `<label> (slowest)` and `<label> (statements)` when it ran more than once. */
  toRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    const r = (ms: number) => Math.round(ms * 100) / 100;
    let slowest = 0;
    for (const [label, s] of this.stats) {
      out[label] = r(s.total);
      if (s.n > 1) {
        out[`${label} (slowest)`] = r(s.max);
        out[`${label} (statements)`] = s.n;
      }
      slowest = Math.max(slowest, s.max);
    }
    out["slowest statement"] = r(slowest);
    return out;
  }
}

export type ScanSpec = {
  table: string;
  /** The rowid column: "id" (INTEGER PRIMARY KEY) or "rowid". */
  key?: "id" | "rowid";
  columns: string;
  /** Extra SQL condition on the chunk, e.g. "mxid IN (?, ?)"; "1" for none. */
  where: string;
  params: unknown[];
  label: string;
  chunk?: number;
  /**
   * Chunks are plain key ranges from min to max, with no bounds statement: for tables whose keys
   * only grow (AUTOINCREMENT association tables; invite_tokens and tokens, whose rowids Sydent
   * assigns as max+1). Gaps from deletions only make some ranges empty (an index seek each).
   */
  dense?: boolean;
  /** Start after this key (incremental scans); default: the whole table. */
  after?: number;
  onChunk?: (chunksDone: number) => void;
  /** Receives each chunk's rows instead of collecting them (constant memory for big scans). */
  onRows?: (rows: unknown[]) => void;
};

function collector<T>(spec: ScanSpec): { out: T[]; emit: (rows: T[]) => void } {
  const out: T[] = [];
  return { out, emit: spec.onRows ? (rows) => spec.onRows!(rows) : (rows) => { for (const r of rows) out.push(r); } };
}

/** Runs `SELECT columns FROM table WHERE <where>` over the whole table, chunk by chunk. */
export async function chunkedScan<T>(db: Database.Database, timer: StatementTimer, spec: ScanSpec): Promise<T[]> {
  const key = spec.key ?? "id";
  const chunk = spec.chunk ?? SCAN_CHUNK;
  if (spec.dense) return denseScan<T>(db, timer, spec, key, chunk);
  const bound = db.prepare(`SELECT ${key} AS k FROM ${spec.table} WHERE ${key} > ? ORDER BY ${key} LIMIT 1 OFFSET ${chunk - 1}`);
  const range = db.prepare(`SELECT ${spec.columns} FROM ${spec.table} WHERE ${key} > ? AND ${key} <= ? AND (${spec.where})`);
  const tail = db.prepare(`SELECT ${spec.columns} FROM ${spec.table} WHERE ${key} > ? AND (${spec.where})`);
  const { out, emit } = collector<T>(spec);
  let lo: number = spec.after ?? Number.MIN_SAFE_INTEGER;
  for (let done = 1; ; done++) {
    const hi = timer.run(`${spec.label} bounds`, () => bound.get(lo) as { k: number } | undefined)?.k;
    if (hi === undefined) {
      emit(timer.run(spec.label, () => tail.all(lo, ...spec.params) as T[]));
      spec.onChunk?.(done);
      return out;
    }
    emit(timer.run(spec.label, () => range.all(lo, hi, ...spec.params) as T[]));
    lo = hi;
    spec.onChunk?.(done);
    await tick();
  }
}

async function denseScan<T>(db: Database.Database, timer: StatementTimer, spec: ScanSpec, key: string, chunk: number): Promise<T[]> {
  const span = timer.run(`${spec.label} bounds`, () => db.prepare(`SELECT (SELECT min(${key}) FROM ${spec.table}) AS lo, (SELECT max(${key}) FROM ${spec.table}) AS hi`).get() as { lo: number | null; hi: number | null });
  if (span.lo === null || span.hi === null) return [];
  const range = db.prepare(`SELECT ${spec.columns} FROM ${spec.table} WHERE ${key} BETWEEN ? AND ? AND (${spec.where})`);
  const { out, emit } = collector<T>(spec);
  const start = Math.max(span.lo, (spec.after ?? Number.MIN_SAFE_INTEGER) + 1);
  for (let lo = start, done = 1; lo <= span.hi; lo += chunk, done++) {
    emit(timer.run(spec.label, () => range.all(lo, lo + chunk - 1, ...spec.params) as T[]));
    spec.onChunk?.(done);
    await tick();
  }
  return out;
}

export const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(", ");

export function chunks<T>(items: T[], size = IN_LIMIT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
