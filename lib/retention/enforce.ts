import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { splitLines, writeAtomically } from "@/lib/erasure/log-scrub";
import type { RetentionPolicy } from "@/lib/logs/retention";
import { DAY_MS, sha256File, type FileAudit } from "@/lib/retention/audit-files";
import type { SourceAudit } from "@/lib/retention/audit-sources";
import { lineDater } from "@/lib/retention/line-dater";
import { consoleOwnFile, consoleOwnPaths, ownFileMessage } from "@/lib/logs/roots";

// Enforcement of one log source. The dry run (planEnforcement) lists exactly what would change:
// rotated files whose every line is past its period are deleted whole; rotated files with some
// such lines ("straddling") are rewritten without them, atomically, by log-scrub's mechanism
// (lib/erasure/log-scrub.ts: temp file, fsync, mode/owner/times kept, rename, directory fsync,
// refused when the file changed meanwhile). Never touched: the current file (a writer has it
// open), a rotated file any process has open (/proc/*/fd) or that was written within
// WRITER_QUIET_SECONDS (writerGuard, at the dry run and again just before acting), and any file
// that could not be read or dated, changed while read, or holds future timestamps. Execution re-checks each file's SHA-256 against the dry run first: a file that
// changed since is skipped, not acted on with a stale plan.

export type PlanItem = { file: string; action: "delete" | "rewrite"; linesRemoved: number; linesKept: number; sha256Before: string; overdueDays: number };
export type PlanSkip = { file: string; reason: string };
/** `asOf`: the time the dry run judged at. Execution removes exactly the lines expired then (what was approved). */
export type EnforcementPlan = { sourceKey: string; asOf: string; items: PlanItem[]; skipped: PlanSkip[] };

const SKIP_REASON: Partial<Record<FileAudit["verdict"], string>> = {
  "current-too-old": "the current file: a writer has it open, so it is never rewritten (fix the rotation)",
  unreadable: "cannot be read whole (damaged or truncated): never deleted or rewritten",
  undatable: "cannot be dated: never deleted",
  "changed-while-read": "changed while it was read: audit again",
  "future-lines": "holds timestamps in the future: not enforced until explained",
  missing: "missing",
};

/** A rotated file written to within this many seconds is left alone (a writer may still hold or reopen it). */
export const WRITER_QUIET_SECONDS = 300;

type Opener = { pid: number; command: string };
/** Every regular file some process has open, by "device:inode": one pass over the fd folders of /proc. */
export type OpenFiles = Map<string, Opener[]>;

const fileKey = (st: fs.Stats) => `${st.dev}:${st.ino}`;

/**
 * One pass over every readable /proc/<pid>/fd entry (Linux; elsewhere empty), keyed by device and
 * inode, so a file held under an old name (renamed by the rotation) or deleted still matches.
 * What cannot be read (another user's process, one that exited meanwhile) is skipped.
 */
export function openFiles(): OpenFiles {
  const out: OpenFiles = new Map();
  if (process.platform !== "linux") return out;
  let pids: string[];
  try {
    pids = fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    const keys = new Set<string>();
    for (const fd of fds) {
      try {
        if (!fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("/")) continue; // sockets, pipes, anon inodes
        keys.add(fileKey(fs.statSync(`/proc/${pid}/fd/${fd}`)));
      } catch {
        continue;
      }
    }
    if (!keys.size) continue;
    let command = "?";
    try {
      command = fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    } catch {
      /* gone meanwhile */
    }
    for (const k of keys) {
      const list = out.get(k);
      if (list) list.push({ pid: Number(pid), command });
      else out.set(k, [{ pid: Number(pid), command }]);
    }
  }
  return out;
}

/** Processes that have `file` open, looked up in `open` (a fresh pass over /proc when not given). */
export function openersOf(file: string, open: OpenFiles = openFiles()): Opener[] {
  try {
    return open.get(fileKey(fs.statSync(file))) ?? [];
  } catch {
    return [];
  }
}

/**
 * Why a rotated file must not be deleted or rewritten now, or null: a process has it open (a
 * writer that was not told about the rotation, a tail, a compressor), or it was written within
 * WRITER_QUIET_SECONDS by the real clock. The dry run checks every file against one pass over
 * /proc (guardPlan); execution checks each file again with a fresh pass just before acting on it,
 * since a process may open it between two files.
 */
export function writerGuard(file: string, clockMs = Date.now(), open: OpenFiles = openFiles()): string | null {
  const openers = openersOf(file, open);
  if (openers.length) return `open by ${openers.map((o) => `pid ${o.pid} (${o.command})`).join(", ")}: a process has the file open, so it is not touched`;
  try {
    const age = Math.floor((clockMs - fs.statSync(file).mtimeMs) / 1000);
    if (age < WRITER_QUIET_SECONDS) return `written ${Math.max(0, age)} s ago (less than ${WRITER_QUIET_SECONDS} s): a writer may still be at it, so it is not touched`;
  } catch {
    /* gone: the SHA-256 check reports it */
  }
  return null;
}

/** The plan with every item a writer may still hold moved to the skipped list (with the reason). */
export function guardPlan(plan: EnforcementPlan, clockMs = Date.now()): EnforcementPlan {
  const items: PlanItem[] = [];
  const skipped = [...plan.skipped];
  const open = plan.items.length ? openFiles() : new Map();
  for (const i of plan.items) {
    const why = writerGuard(i.file, clockMs, open);
    if (why) skipped.push({ file: i.file, reason: why });
    else items.push(i);
  }
  return { ...plan, items, skipped };
}

export function planEnforcement(source: SourceAudit, asOf: Date): EnforcementPlan {
  const items: PlanItem[] = [];
  const skipped: PlanSkip[] = [];
  for (const f of source.files) {
    if (f.verdict === "expired" || f.verdict === "straddling") {
      if (!f.sha256) {
        skipped.push({ file: f.path, reason: "no SHA-256 (audit with hashing)" });
        continue;
      }
      const datedLines = Object.values(f.classes).reduce((n, c) => n + c.lines, 0);
      items.push({
        file: f.path, action: f.verdict === "expired" ? "delete" : "rewrite", linesRemoved: f.overdueLines,
        linesKept: f.undatedLines + datedLines - f.overdueLines, sha256Before: f.sha256, overdueDays: f.overdueDays,
      });
    } else if (SKIP_REASON[f.verdict] && (f.overdueLines > 0 || f.verdict !== "missing")) {
      skipped.push({ file: f.path, reason: SKIP_REASON[f.verdict]! });
    }
  }
  return { sourceKey: source.key, asOf: asOf.toISOString(), items, skipped };
}

export type ActionResult = PlanItem & { status: "deleted" | "rewritten" | "skipped"; sha256After: string | null; problem?: string };

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function rewrite(item: PlanItem, source: SourceAudit["source"], policy: RetentionPolicy, nowMs: number): Promise<{ sha256After: string | null; problem?: string }> {
  const st = fs.statSync(item.file);
  const raw = fs.readFileSync(item.file);
  const gzip = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  const text = gzip ? zlib.gunzipSync(raw) : raw;
  const lines = splitLines(text);
  const trailing = lines.length > 0 && lines[lines.length - 1].length === 0;
  if (trailing) lines.pop();
  const date = lineDater(source, policy);
  const kept: Buffer[] = [];
  let removed = 0;
  for (const b of lines) {
    const d = date(b.toString("utf8"));
    if (d && d.at + policy.periodDays[d.cls] * DAY_MS < nowMs) removed++;
    else kept.push(b);
  }
  if (removed !== item.linesRemoved) return { sha256After: null, problem: `the file now has ${removed} expired line(s), the dry run ${item.linesRemoved}: left as it was` };
  const body = Buffer.concat(kept.flatMap((b, i) => (i === 0 ? [b] : [Buffer.from("\n"), b])).concat(trailing && kept.length ? [Buffer.from("\n")] : []));
  writeAtomically(item.file, gzip ? zlib.gzipSync(body) : body, st);
  return { sha256After: await sha256File(item.file) };
}

/** Carries out a plan. Each file is checked against its dry-run SHA-256 first. Never throws per file. */
export async function executePlan(plan: EnforcementPlan, source: SourceAudit["source"], policy: RetentionPolicy): Promise<ActionResult[]> {
  const asOf = Date.parse(plan.asOf);
  const out: ActionResult[] = [];
  const own = consoleOwnPaths();
  for (const item of plan.items) {
    // The dry run never lists the console's own files (lib/logs/files.ts); a plan stored before
    // that rule, or a symlink swapped in since, still cannot reach them.
    const mine = consoleOwnFile(item.file, own);
    if (mine) {
      out.push({ ...item, status: "skipped", sha256After: item.sha256Before, problem: ownFileMessage(item.file, mine, "is") });
      continue;
    }
    const current = await sha256File(item.file);
    if (current !== item.sha256Before) {
      out.push({ ...item, status: "skipped", sha256After: current, problem: current ? "changed since the dry run: left as it is (run a new dry run)" : "no longer there" });
      continue;
    }
    const busy = writerGuard(item.file);
    if (busy) {
      out.push({ ...item, status: "skipped", sha256After: current, problem: busy });
      continue;
    }
    try {
      if (item.action === "delete") {
        fs.unlinkSync(item.file);
        fsyncDir(path.dirname(item.file));
        out.push({ ...item, status: "deleted", sha256After: null });
      } else {
        const r = await rewrite(item, source, policy, asOf);
        out.push({ ...item, status: r.problem ? "skipped" : "rewritten", sha256After: r.sha256After, ...(r.problem ? { problem: r.problem } : {}) });
      }
    } catch (e) {
      out.push({ ...item, status: "skipped", sha256After: await sha256File(item.file), problem: (e as Error).message });
    }
  }
  return out;
}
