import crypto from "node:crypto";
import fs from "node:fs";
import type { LogFile } from "@/lib/logs/files";
import { readLogLines } from "@/lib/logs/read-lines";
import { lineDater } from "@/lib/retention/line-dater";
import { RETENTION_CLASSES, type RetentionClass, type RetentionPolicy } from "@/lib/logs/retention";

// Audits ONE log file against a retention policy by reading every line (streaming, constant
// memory; plain or gzip by magic bytes; damage tolerated by lib/logs/read-lines.ts). Dates come
// from the lines' own timestamps, never the file's mtime (reported beside them).
//
// A line's copy is overdue when its own time + its class's period is before `now`. Continuation
// lines (tracebacks) carry their record's time and class; lines before the first dated line are
// "undated". Verdicts:
//  - within:      nothing overdue
//  - expired:     a rotated file whose every line is overdue (delete it whole)
//  - straddling:  a rotated file with some overdue lines (rewrite it without them)
//  - current-too-old: the file a writer has open holds overdue lines (rotation misconfigured; never touched)
//  - undatable / unreadable / changed-while-read / future-lines: cannot be judged safely; never enforced.
// The current file is judged on the bytes it held when the audit first looked at it: appending
// meanwhile is its normal life, not a change; being replaced (rotated away) or shrinking is.

export const DAY_MS = 86_400_000;
/** A line more than this ahead of "now" is a future timestamp (clock skew of a day is tolerated). */
const FUTURE_SLACK_MS = DAY_MS;

export type ClassAudit = {
  lines: number;
  overdueLines: number;
  oldestAt: string | null;
  newestAt: string | null;
  periodDays: number;
  /** Line counts by whole days of age at `now` (for the chart). */
  ageDays: Record<number, number>;
};

export type FileVerdict = "within" | "expired" | "straddling" | "current-too-old" | "undatable" | "unreadable" | "changed-while-read" | "future-lines" | "missing";

export type FileFinding = { kind: FileVerdict | "overdue"; detail: string; overdueDays?: number };

export type FileAudit = {
  path: string;
  source: LogFile["source"];
  origin: string;
  rotated: boolean;
  gzip: boolean;
  size: number | null;
  mtime: string | null;
  sha256: string | null;
  lines: number;
  undatedLines: number;
  futureLines: number;
  oldestLineAt: string | null;
  newestLineAt: string | null;
  classes: Partial<Record<RetentionClass, ClassAudit>>;
  /** When the last line of the file is due to be gone (rotated files are deleted whole then). */
  mustBeGoneBy: string | null;
  /** When the first line falls due (a straddling file must be rewritten by then). */
  firstLineDueAt: string | null;
  overdueLines: number;
  /** Days past the first line's due date (0 when nothing is overdue). */
  overdueDays: number;
  verdict: FileVerdict;
  findings: FileFinding[];
  problems: { problem: string; detail: string }[];
};

/** SHA-256 of a file's bytes as stored (compressed for .gz), streamed; null when it cannot be read. */
export async function sha256File(p: string, maxBytes?: number): Promise<string | null> {
  try {
    const h = crypto.createHash("sha256");
    if (maxBytes === 0) return h.digest("hex");
    for await (const chunk of fs.createReadStream(p, { highWaterMark: 1 << 20, ...(maxBytes !== undefined ? { end: maxBytes - 1 } : {}) })) h.update(chunk as Buffer);
    return h.digest("hex");
  } catch {
    return null;
  }
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

function statOf(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

/** Reads a file and judges every line. Never throws for a bad file. */
export async function auditLogFile(file: LogFile, policy: RetentionPolicy, now: Date, o: { signal?: AbortSignal; hash?: boolean } = {}): Promise<FileAudit> {
  const nowMs = now.getTime();
  const base: FileAudit = {
    path: file.path, source: file.source, origin: file.origin, rotated: file.rotated, gzip: file.gzip,
    size: null, mtime: null, sha256: null, lines: 0, undatedLines: 0, futureLines: 0, oldestLineAt: null, newestLineAt: null,
    classes: {}, mustBeGoneBy: null, firstLineDueAt: null, overdueLines: 0, overdueDays: 0, verdict: "within", findings: [], problems: [],
  };
  if (file.problem) {
    base.problems.push({ problem: file.problem.problem, detail: file.problem.detail });
    base.verdict = file.problem.problem === "missing" ? "missing" : "unreadable";
    base.findings.push({ kind: base.verdict, detail: file.problem.detail });
    return base;
  }
  const before = statOf(file.path);
  if (!before) {
    base.verdict = "missing";
    base.findings.push({ kind: "missing", detail: "The file disappeared before it could be read (rotated or deleted)." });
    return base;
  }
  base.size = before.size;
  base.mtime = before.mtime.toISOString();

  const stats = new Map<RetentionClass, { lines: number; overdue: number; oldest: number; newest: number; ages: Map<number, number> }>();
  const date = lineDater(file.source, policy);
  let oldest = Infinity;
  let newest = -Infinity;
  let firstDue = Infinity;
  let lastDue = -Infinity;

  // The current file grows while it is read (the writer appends): only the bytes that existed at
  // the first look are judged (and hashed); what is appended meanwhile is the next audit's.
  const prefix = file.rotated ? undefined : before.size;
  const r = await readLogLines(file.path, {
    gzipByName: file.gzip,
    signal: o.signal,
    maxBytes: prefix,
    onLine(text) {
      const d = date(text);
      if (!d) {
        if (text.trim() !== "") base.undatedLines++;
        return;
      }
      const recAt = d.at;
      const recClass = d.cls;
      if (recAt > nowMs + FUTURE_SLACK_MS) base.futureLines++;
      oldest = Math.min(oldest, recAt);
      newest = Math.max(newest, recAt);
      let s = stats.get(recClass);
      if (!s) stats.set(recClass, (s = { lines: 0, overdue: 0, oldest: Infinity, newest: -Infinity, ages: new Map() }));
      s.lines++;
      s.oldest = Math.min(s.oldest, recAt);
      s.newest = Math.max(s.newest, recAt);
      const due = recAt + policy.periodDays[recClass] * DAY_MS;
      firstDue = Math.min(firstDue, due);
      lastDue = Math.max(lastDue, due);
      if (due < nowMs) s.overdue++;
      const age = Math.max(0, Math.floor((nowMs - recAt) / DAY_MS));
      s.ages.set(age, (s.ages.get(age) ?? 0) + 1);
    },
  });
  base.lines = r.lines;
  base.problems.push(...r.problems.map((p) => ({ problem: p.problem, detail: p.detail })));
  if (o.hash && !r.problems.length) base.sha256 = await sha256File(file.path, prefix);

  for (const c of RETENTION_CLASSES) {
    const s = stats.get(c);
    if (!s) continue;
    base.classes[c] = {
      lines: s.lines, overdueLines: s.overdue, oldestAt: iso(s.oldest), newestAt: iso(s.newest),
      periodDays: policy.periodDays[c], ageDays: Object.fromEntries([...s.ages].sort((a, b) => a[0] - b[0])),
    };
    base.overdueLines += s.overdue;
  }
  const dated = Number.isFinite(oldest);
  base.oldestLineAt = dated ? iso(oldest) : null;
  base.newestLineAt = dated ? iso(newest) : null;
  base.mustBeGoneBy = dated ? iso(lastDue) : null;
  base.firstLineDueAt = dated ? iso(firstDue) : null;
  if (dated && firstDue < nowMs) base.overdueDays = Math.floor((nowMs - firstDue) / DAY_MS);

  const after = statOf(file.path);
  // A rotated file must not change at all. The current file may grow (appending is its normal
  // life); it changed under the reader only when it was replaced (another inode: rotated away) or
  // shrank (truncated, e.g. logrotate's copytruncate).
  const replaced = !after || after.ino !== before.ino || after.dev !== before.dev;
  const changed = replaced || (file.rotated ? after.size !== before.size || after.mtimeMs !== before.mtimeMs : after.size < before.size);
  judge(base, { dated, changed, vanished: !after, nowMs });
  return base;
}

function judge(a: FileAudit, x: { dated: boolean; changed: boolean; vanished: boolean; nowMs: number }): void {
  const f = a.findings;
  const damaged = a.problems.some((p) => p.problem !== "binary-content");
  if (a.overdueLines > 0) {
    f.push({
      kind: "overdue",
      overdueDays: a.overdueDays,
      detail: `${a.overdueLines} of ${a.lines} line(s) are past their retention period, the first by ${a.overdueDays} day(s).`,
    });
  }
  if (x.vanished || x.changed) {
    // First: a file replaced, truncated or rewritten under the reader also reads as damaged (the
    // reader may have opened the new, shorter file), and the cause is the change, not damage.
    a.verdict = "changed-while-read";
    f.push({ kind: "changed-while-read", detail: x.vanished ? "The file disappeared while it was read (rotated?): audit again." : a.rotated ? "The file changed while it was read (rotated or appended to): audit again." : "The file was replaced or truncated while it was read (rotated?): audit again." });
  } else if (damaged) {
    a.verdict = "unreadable";
    for (const p of a.problems) f.push({ kind: "unreadable", detail: `${p.problem}: ${p.detail}` });
  } else if (!x.dated) {
    a.verdict = "undatable";
    f.push({ kind: "undatable", detail: a.lines ? `None of its ${a.lines} line(s) carries a timestamp: it cannot be dated, so it is never deleted.` : "The file is empty: nothing to date." });
  } else if (a.futureLines > 0) {
    a.verdict = "future-lines";
    f.push({ kind: "future-lines", detail: `${a.futureLines} line(s) are dated more than a day in the future (clock or parsing wrong): the file is not enforced until explained.` });
  } else if (!a.rotated) {
    a.verdict = a.overdueLines > 0 ? "current-too-old" : "within";
    if (a.overdueLines > 0) f.push({ kind: "current-too-old", detail: "The file the writer has open holds lines older than their class allows: rotation is misconfigured (it is never touched by enforcement)." });
  } else if (a.overdueLines === 0) a.verdict = "within";
  else {
    const datedLines = Object.values(a.classes).reduce((n, c) => n + c.lines, 0);
    a.verdict = a.overdueLines === datedLines && a.undatedLines === 0 ? "expired" : "straddling";
  }
  if (a.undatedLines > 0 && x.dated) f.push({ kind: "undatable", detail: `${a.undatedLines} line(s) before the first timestamp cannot be dated (kept when the file is rewritten).` });
}
