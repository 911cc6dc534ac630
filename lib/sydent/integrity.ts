import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { checkFile, classifyError, type SydentError } from "@/lib/sydent/errors";
import { busyTimeoutMs } from "@/lib/sydent/open";

// SQLite's PRAGMA quick_check of a Sydent database (server:check) without holding Sydent up.
//
// quick_check reads every page in one statement, so it holds a read lock for as long as it runs:
// 2.1 s on the 1M-binding demo's 1.16 GB file on a quiet machine here, 23 s on a 644 MB file while
// the machine was busy. Sydent keeps its one connection in // rollback-journal mode, and a read lock held by anyone keeps its next commit waiting; after 5 s it
// fails with "database is locked" (domain/sydent.md). So on a database a live Sydent may write:
//   - the file is copied inside one read transaction: while it is held no writer can change the
//     file (a commit needs the exclusive lock), so the copy is one consistent state of it;
//   - the copy (cp in a child process) has a deadline (LOCK_BUDGET_MS, well under Sydent's 5 s
//     busy wait): when it cannot finish in time it is killed, the lock released, and the check
//     reported as not done, with the reason;
//   - quick_check then runs on the copy, as long as it needs, holding nothing of Sydent's; the
//     copy (in memory, /dev/shm, when it has room, else TMPDIR; refused when neither has room) is
//     unlinked as soon as SQLite has it open, so nothing of it outlives the check.
// A database in WAL mode (readers never block its writer) and one whose server is declared
// stopped (server:mode) are checked in place. A damaged page is copied as it is, so the copy
// shows the same damage.

/** Longest time the read lock on a live Sydent's file is held while it is copied. */
export const LOCK_BUDGET_MS = 2000;

export type Integrity =
  | { integrity: "ok"; checked: "in place" | "copy" }
  | { integrity: "damaged"; problems: string[]; checked: "in place" | "copy" }
  | { integrity: "could not check"; error: SydentError };

export type IntegrityOptions = {
  /** The server is declared stopped (no Sydent writes): check the file in place. */
  stopped?: boolean;
  /** Busy wait for the read lock (the console's configured wait). */
  timeoutMs?: number;
  /** Longest the read lock may be held to copy the file. */
  lockBudgetMs?: number;
  /** Folder for the copy (default: the system's temporary folder). */
  tmpDir?: string;
  /** Told how long the read lock was held (tests, the benchmark). */
  onLockHeld?: (ms: number, bytes: number) => void;
};

/** Whether the file's header says WAL (file format read/write versions 2). */
function isWal(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const b = Buffer.alloc(2);
    return fs.readSync(fd, b, 0, 2, 18) === 2 && b[0] === 2 && b[1] === 2;
  } finally {
    fs.closeSync(fd);
  }
}

function quickCheckFile(file: string, timeoutMs: number, checked: "in place" | "copy", afterOpen?: () => void): Integrity {
  let conn: Database.Database | null = null;
  try {
    conn = new Database(file, { readonly: true, fileMustExist: true, timeout: timeoutMs });
    if (afterOpen) {
      conn.pragma("page_count"); // the file is open from here on
      afterOpen();
    }
    const rows = conn.prepare("PRAGMA quick_check(20)").pluck().all() as string[];
    return rows.length === 1 && rows[0] === "ok" ? { integrity: "ok", checked } : { integrity: "damaged", problems: rows, checked };
  } catch (e) {
    // SQLite stopped the check on a damaged page: that is a finding. Anything else (busy, cannot
    // open, not a database) means the check did not run.
    const code = String((e as { code?: string }).code ?? "");
    if (code.startsWith("SQLITE_CORRUPT")) return { integrity: "damaged", problems: [(e as Error).message], checked };
    return { integrity: "could not check", error: classifyError(e, file, timeoutMs) };
  } finally {
    conn?.close();
  }
}

const notChecked = (kind: SydentError["kind"], message: string): Integrity => ({ integrity: "could not check", error: { kind, message } });

/**
 * Copies `file` to `dest` inside one read transaction on it, giving up when the lock would be held
 * longer than the budget. The copy is coreutils' cp (copy_file_range, or a reflink where the
 * file system has them: about 2 GB/s from the page cache here, twice what quick_check reads at)
 * in a child process killed at the deadline. Returns null when copied, else why not.
 */
function copyUnderReadLock(file: string, dest: string, o: Required<Pick<IntegrityOptions, "timeoutMs" | "lockBudgetMs">> & IntegrityOptions): Integrity | null {
  const conn = new Database(file, { readonly: true, fileMustExist: true, timeout: o.timeoutMs });
  try {
    conn.exec("BEGIN");
    conn.prepare("SELECT count(*) FROM sqlite_master").get(); // takes the read lock
    const started = performance.now();
    const cp = spawnSync("cp", ["--reflink=auto", "--", file, dest], { timeout: Math.max(1, o.lockBudgetMs), killSignal: "SIGKILL", encoding: "utf8" });
    const heldMs = performance.now() - started;
    const size = fs.statSync(file).size;
    if (cp.signal || (cp.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT") {
      const copied = fs.existsSync(dest) ? fs.statSync(dest).size : 0;
      const mb = (n: number) => (n / 1048576).toFixed(0);
      return notChecked(
        "other",
        `not checked: copying ${file} (${mb(size)} MB) would hold Sydent's database longer than ${o.lockBudgetMs} ms (${mb(copied)} MB copied in that time; Sydent gives up on a write after 5 s). ` +
          "Check it during a maintenance window (server:mode stopped), or check a copy with --db",
      );
    }
    if (cp.error) throw cp.error;
    if (cp.status !== 0) {
      const why = cp.stderr.trim();
      return notChecked(/No space left/i.test(why) ? "other" : "unreadable", `not checked: the copy of ${file} failed: ${why || `cp exited ${cp.status}`}`);
    }
    o.onLockHeld?.(heldMs, fs.statSync(dest).size);
    return null;
  } catch (e) {
    return { integrity: "could not check", error: classifyError(e, file, o.timeoutMs) };
  } finally {
    if (conn.inTransaction) conn.exec("COMMIT");
    conn.close();
  }
}

const COPY_PREFIX = "custodian-quick-check-";

/** Folders of copies left by a check killed while copying (older than an hour): removed. */
function removeStaleCopies(dir: string): void {
  try {
    for (const name of fs.readdirSync(dir)) {
      if (!name.startsWith(COPY_PREFIX)) continue;
      const p = path.join(dir, name);
      if (Date.now() - fs.statSync(p).mtimeMs > 3600_000) fs.rmSync(p, { recursive: true, force: true });
    }
  } catch {
    /* not ours to fail on: the copy below reports its own problems */
  }
}

function hasRoom(dir: string, bytes: number): boolean {
  try {
    const free = fs.statfsSync(dir);
    return free.bavail * free.bsize >= bytes * 1.1;
  } catch {
    return false;
  }
}

/**
 * Where the copy goes: memory (/dev/shm) when it has room, so that the copy under the lock is not
 * slowed by the disk writing back (at 1.16 GB a copy to disk took over 2 s while the disk was busy;
 * to memory 0.4-1.1 s), else the system's temporary folder (TMPDIR).
 */
function copyDir(bytes: number): string {
  return process.platform === "linux" && hasRoom("/dev/shm", bytes) ? "/dev/shm" : os.tmpdir();
}

/** quick_check of a Sydent database, never holding a live Sydent's file for longer than the lock budget. */
export function quickCheck(file: string, opts: IntegrityOptions = {}): Integrity {
  const unreadable = checkFile(file);
  if (unreadable) return { integrity: "could not check", error: unreadable };
  const timeoutMs = opts.timeoutMs ?? busyTimeoutMs();
  if (opts.stopped || isWal(file)) return quickCheckFile(file, timeoutMs, "in place");
  const size = fs.statSync(file).size;
  const tmpDir = opts.tmpDir ?? copyDir(size);
  if (!hasRoom(tmpDir, size)) {
    return notChecked("other", `not checked: ${tmpDir} has no room for a copy of ${file} (${(size / 1048576).toFixed(0)} MB); set TMPDIR to a folder with room`);
  }
  removeStaleCopies(tmpDir);
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(tmpDir, COPY_PREFIX));
  } catch (e) {
    return notChecked("other", `not checked: cannot make a folder for the copy in ${tmpDir}: ${(e as Error).message}`);
  }
  try {
    const copy = path.join(dir, "sydent.db");
    const failed = copyUnderReadLock(file, copy, { ...opts, timeoutMs, lockBudgetMs: opts.lockBudgetMs ?? LOCK_BUDGET_MS });
    if (failed) return failed;
    // The copy holds every binding: it is unlinked as soon as SQLite has it open, so a check
    // killed while quick_check runs leaves nothing behind (the file goes with the process).
    const r = quickCheckFile(copy, timeoutMs, "copy", () => fs.rmSync(dir, { recursive: true, force: true }));
    // Errors are about the original, not the copy's path.
    return r.integrity === "could not check" ? { integrity: "could not check", error: { ...r.error, message: r.error.message.split(copy).join(file) } } : r;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The report's integrity fields: integrityProblems when damaged, integrityError when not checked. */
export function integrityReport(i: Integrity) {
  if (i.integrity === "ok") return { integrity: i.integrity, integrityChecked: i.checked };
  if (i.integrity === "damaged") return { integrity: i.integrity, integrityChecked: i.checked, integrityProblems: i.problems };
  return { integrity: i.integrity, integrityError: i.error };
}

/** One line for stderr: "damaged: <quick_check output>" or "could not check: <reason>". */
export function integrityLine(i: Integrity): string | null {
  if (i.integrity === "damaged") return `damaged: ${i.problems[0]}${i.problems.length > 1 ? ` (and ${i.problems.length - 1} more)` : ""}`;
  if (i.integrity === "could not check") return `could not check: ${i.error.message}`;
  return null;
}
