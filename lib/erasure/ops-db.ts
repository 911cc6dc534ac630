import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

// The write connection used by lib/erasure/ops.ts: opened read-write for one op and closed after
// (lib/sydent/open.ts connections stay read-only), with a busy timeout; never changes the journal
// mode or the schema. API: openWriteDb(file, o), withRetry(file, o, fn), locateIds(db, ...),
// class IdentityDbUnavailable {kind: locked | missing | readonly | not-sydent}.

export type UnavailableKind = "locked" | "missing" | "readonly" | "not-sydent";

export type OpOptions = {
  /** SQLite busy timeout per attempt (default 2000 ms). */
  busyTimeoutMs?: number;
  /** Attempts after the first one on SQLITE_BUSY (default 4), with doubling backoff. */
  retries?: number;
  /** First backoff (default 100 ms). */
  backoffMs?: number;
  /** Tombstone ts (ms); default Date.now(). */
  nowMs?: number;
  /**
   * Row ids an earlier, interrupted attempt of the same step located (what it was about to act
   * on). Those no longer there are reported under `already` (done by that attempt), so a re-run
   * after a crash reports the step's true effect.
   */
  prior?: Snapshot;
  /** Called after the op located its rows and BEFORE it writes (the engine records them first). */
  onLocated?: (s: Snapshot) => Promise<void> | void;
  /** Called after each committed write transaction with the rows it changed (lease refresh, tests). */
  onTransaction?: (info: { rows: number }) => Promise<void> | void;
  /** Called for every lock wait that ends in a retry (counted on the step and in the receipt). */
  onRetry?: (info: { kind: "lock"; waitedMs: number; error: string; retried: boolean }) => void;
};

/** Row ids per kind ("global", "invites", ...): no personal data. */
export type Snapshot = Record<string, number[]>;

export function mergeSnapshots(a: Snapshot, b: Snapshot): Snapshot {
  const out: Snapshot = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) out[k] = [...new Set([...(a[k] ?? []), ...(b[k] ?? [])])];
  return out;
}

/** Ids of `prior[key]` not located now: rows an earlier attempt already brought to the target state. */
export function alreadyDone(prior: Snapshot, found: Snapshot, key: string): number {
  const now = new Set(found[key] ?? []);
  return (prior[key] ?? []).filter((id) => !now.has(id)).length;
}

const MESSAGES: Record<UnavailableKind, string> = {
  locked: "the identity database is locked by another process (still busy after retries)",
  missing: "the identity database file is missing",
  readonly: "the identity database file (or its folder) is read-only for Custodian",
  "not-sydent": "the file is not a Sydent database",
};

export class IdentityDbUnavailable extends Error {
  constructor(public readonly kind: UnavailableKind, public readonly detail?: string) {
    super(MESSAGES[kind] + (detail ? ` (${detail})` : ""));
    this.name = "IdentityDbUnavailable";
  }
}

const REQUIRED = ["local_threepid_associations", "global_threepid_associations", "threepid_validation_sessions", "invite_tokens", "peers"];

/** Opens a read-write connection after checking the file; throws IdentityDbUnavailable. */
export function openWriteDb(file: string, o: OpOptions = {}): Database.Database {
  if (!fs.existsSync(file)) throw new IdentityDbUnavailable("missing");
  try {
    // No write bit at all counts as read-only even for root (an operator's "do not write").
    if ((fs.statSync(file).mode & 0o222) === 0) throw new Error("read-only mode bits");
    fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
    // The rollback journal is created next to the file.
    fs.accessSync(path.dirname(file), fs.constants.W_OK);
  } catch {
    throw new IdentityDbUnavailable("readonly");
  }
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true, timeout: o.busyTimeoutMs ?? 2000 });
  } catch (e) {
    throw classify(e);
  }
  // Sydent's connection (Python sqlite3) leaves foreign keys off; better-sqlite3 turns them on, and
  // threepid_token_auths references a table that does not exist (sydent.md 1). Connection-only.
  db.pragma("foreign_keys = OFF");
  try {
    const names = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    if (!REQUIRED.every((t) => names.has(t))) throw new IdentityDbUnavailable("not-sydent");
  } catch (e) {
    db.close();
    throw e instanceof IdentityDbUnavailable ? e : classify(e);
  }
  return db;
}

function classify(e: unknown): Error {
  if (e instanceof IdentityDbUnavailable) return e;
  const code = String((e as { code?: string })?.code ?? "");
  const msg = String((e as Error)?.message ?? "");
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED") || /database is locked/i.test(msg)) return new IdentityDbUnavailable("locked");
  if (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_CANTOPEN") || code === "EACCES" || code === "EPERM") return new IdentityDbUnavailable("readonly", code);
  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) return new IdentityDbUnavailable("not-sydent", code);
  if (code === "ENOENT") return new IdentityDbUnavailable("missing");
  return e as Error;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs fn; on "locked" retries with doubling backoff, then throws IdentityDbUnavailable("locked"). */
export async function withRetry<T>(_file: string, o: OpOptions, fn: () => Promise<T>): Promise<T> {
  const retries = o.retries ?? 4;
  let wait = o.backoffMs ?? 100;
  for (let attempt = 0; ; attempt++) {
    const t0 = Date.now();
    try {
      return await fn();
    } catch (e) {
      const err = classify(e);
      if (err instanceof IdentityDbUnavailable && err.kind === "locked" && attempt >= retries) {
        // The last wait, after which the job pauses: counted too.
        o.onRetry?.({ kind: "lock", waitedMs: Date.now() - t0, error: "locked", retried: false });
      }
      if (err instanceof IdentityDbUnavailable && err.kind === "locked" && attempt < retries) {
        await sleep(wait);
        // The busy timeout spent inside SQLite plus the backoff: the whole wait is shown, not hidden.
        o.onRetry?.({ kind: "lock", waitedMs: Date.now() - t0, error: "locked", retried: true });
        wait *= 2;
        continue;
      }
      throw err;
    }
  }
}

/**
 * Chunked rowid scan (autocommit, one short statement per chunk of `size` rows, yielding between
 * chunks) for columns Sydent does not index. Ids can be sparse (random session ids), so each
 * chunk's upper bound is found by walking the rowid b-tree. `cols` may alias rowid ("rowid AS id").
 */
export async function locateIds<T>(db: Database.Database, table: string, cols: string, where: string, params: unknown[], size = 5000): Promise<T[]> {
  const bound = db.prepare(`SELECT rowid AS r FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT 1 OFFSET ${size - 1}`);
  const top = db.prepare(`SELECT max(rowid) AS r FROM ${table}`);
  const stmt = db.prepare(`SELECT ${cols} FROM ${table} WHERE rowid > ? AND rowid <= ? AND (${where})`);
  const out: T[] = [];
  let lo = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const hi = (bound.get(lo) as { r: number } | undefined)?.r ?? (top.get() as { r: number | null }).r;
    if (hi === null || hi === undefined || hi <= lo) break;
    out.push(...(stmt.all(lo, hi, ...params) as T[]));
    lo = hi;
    await new Promise((r) => setImmediate(r));
  }
  return out;
}
