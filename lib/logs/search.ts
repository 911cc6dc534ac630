import fsp from "node:fs/promises";
import type { LogFile } from "@/lib/logs/files";
import { compileNeedles, type Matcher, type Needles } from "@/lib/logs/needles";
import { parseLineTime } from "@/lib/logs/parse";
import { readLogLines } from "@/lib/logs/read-lines";
import {
  DEFAULT_RETENTION_POLICY, RETENTION_CLASSES, expiresAt, lineClass,
  type RetentionClass, type RetentionPolicy,
} from "@/lib/logs/retention";
import type { LogFinding, LogRetentionEntry, LogSearchReport } from "@/lib/subjects/types";

// Searches Sydent and HAProxy log files for a person's identifiers (lib/logs/needles.ts), one
// file after another, line by line in constant memory (lib/logs/read-lines.ts). Every file is
// searched, including copies already past their retention period (they exist and hold data):
// those are marked overdue. Damaged files are searched as far as they go and reported in
// report.problems; nothing here throws for a bad file. Findings hold lines IN CLEAR (other
// people's data too): mask or count them before anything leaves the server.

export type LogSearchProgress = {
  file: string;
  filesDone: number;
  filesTotal: number;
  /** Bytes read from disk so far, over all files (compressed bytes for .gz). */
  bytesRead: number;
  bytesTotal: number;
  linesScanned: number;
};

export type LogSearchOptions = {
  now?: Date;
  retention?: RetentionPolicy;
  onProgress?: (p: LogSearchProgress) => void;
  signal?: AbortSignal;
};

export type LogSearchResult = { findings: LogFinding[]; report: LogSearchReport };

const PROGRESS_EVERY = 1 << 20;
const MAX_STORED_LINE = 4096;

type ClassStats = { lines: number; oldest: number | null };
type FileState = { newest: number | null; oldest: number | null; classes: Map<RetentionClass, ClassStats>; findings: (LogFinding & { atMs: number | null })[] };

function scanLine(f: LogFile, m: Matcher, policy: RetentionPolicy, st: FileState, ctx: { lastLine: number; lastAt: number | null; lastClass: RetentionClass | null }, text: string, lineNo: number) {
  const sameLine = lineNo === ctx.lastLine; // a very long line read in pieces
  if (!sameLine) {
    const t = parseLineTime(f.source, text)?.getTime() ?? null;
    if (t !== null) {
      ctx.lastAt = t;
      ctx.lastClass = lineClass(policy, f.source, text);
      if (st.newest === null || t > st.newest) st.newest = t;
      if (st.oldest === null || t < st.oldest) st.oldest = t;
    } else if (f.source === "haproxy" || ctx.lastClass === null) {
      ctx.lastClass = lineClass(policy, f.source, text); // continuation lines inherit their record's class
    }
    const cls = ctx.lastClass as RetentionClass;
    const cs = st.classes.get(cls) ?? { lines: 0, oldest: null };
    cs.lines++;
    if (ctx.lastAt !== null && (cs.oldest === null || ctx.lastAt < cs.oldest)) cs.oldest = ctx.lastAt;
    st.classes.set(cls, cs);
    ctx.lastLine = lineNo;
  }
  const kinds = m.match(text, { source: f.source, origin: f.origin });
  if (!kinds.length) return;
  const prev = st.findings[st.findings.length - 1];
  if (sameLine && prev?.lineNo === lineNo) {
    prev.matched = [...new Set([...prev.matched, ...kinds])];
    return;
  }
  st.findings.push({
    file: f.path, source: f.source, origin: f.origin, lineNo,
    at: ctx.lastAt === null ? null : new Date(ctx.lastAt).toISOString(), atMs: ctx.lastAt,
    line: text.length > MAX_STORED_LINE ? `${text.slice(0, MAX_STORED_LINE)} …[line truncated]` : text,
    matched: kinds, expiresAt: null, retentionClass: ctx.lastClass ?? undefined,
  });
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Retention per class present in the file: rotated copies go with the file, current ones line by line. */
function fileRetention(f: LogFile, st: FileState, policy: RetentionPolicy, now: number): LogRetentionEntry[] {
  return RETENTION_CLASSES.filter((c) => st.classes.has(c)).map((c) => {
    const cs = st.classes.get(c) as ClassStats;
    const at = expiresAt({ rotated: f.rotated, fileNewestLineAt: st.newest === null ? null : new Date(st.newest), lineAt: cs.oldest === null ? null : new Date(cs.oldest) }, c, policy);
    return { class: c, lines: cs.lines, periodDays: policy.periodDays[c], expiresAt: at?.toISOString() ?? null, overdue: !!at && at.getTime() < now };
  });
}

export async function searchLogs(files: LogFile[], needles: Needles, opts: LogSearchOptions = {}): Promise<LogSearchResult> {
  const now = (opts.now ?? new Date()).getTime();
  const policy = opts.retention ?? DEFAULT_RETENTION_POLICY;
  const matcher = compileNeedles(needles);
  const findings: LogFinding[] = [];
  const report: LogSearchReport = { filesSearched: 0, linesScanned: 0, bytesRead: 0, problems: [], files: [] };
  const list = [...new Map(files.map((f) => [f.path, f])).values()];
  for (const f of list) if (f.problem) report.problems.push(f.problem);
  const todo = list.filter((f) => !f.problem);
  if (matcher.empty) return { findings, report };

  const sizes = await Promise.all(todo.map((f) => fsp.stat(f.path).then((s) => s.size, () => 0)));
  const bytesTotal = sizes.reduce((a, b) => a + b, 0);
  let sinceProgress = 0;
  const progress = (file: string, filesDone: number) =>
    opts.onProgress?.({ file, filesDone, filesTotal: todo.length, bytesRead: report.bytesRead, bytesTotal, linesScanned: report.linesScanned });

  for (const [i, f] of todo.entries()) {
    if (opts.signal?.aborted) {
      report.aborted = true;
      break;
    }
    progress(f.path, i);
    const st: FileState = { newest: null, oldest: null, classes: new Map(), findings: [] };
    const ctx = { lastLine: 0, lastAt: null as number | null, lastClass: null as RetentionClass | null };
    const r = await readLogLines(f.path, {
      gzipByName: f.gzip,
      signal: opts.signal,
      onLine: (text, lineNo) => scanLine(f, matcher, policy, st, ctx, text, lineNo),
      onBytes: (n) => {
        report.bytesRead += n;
        report.linesScanned = ctx.lastLine + report.files.reduce((a, x) => a + (x.lines ?? 0), 0);
        sinceProgress += n;
        if (sinceProgress >= PROGRESS_EVERY) {
          sinceProgress = 0;
          progress(f.path, i);
        }
      },
    });
    for (const p of r.problems) report.problems.push({ file: f.path, ...p });
    if (r.aborted) report.aborted = true;
    const opened = !r.problems.some((p) => p.problem === "missing" || p.problem === "not-a-file" || (p.problem === "unreadable" && r.lines === 0));
    const retention = fileRetention(f, st, policy, now);
    for (const x of st.findings) {
      const at = expiresAt({ rotated: f.rotated, fileNewestLineAt: st.newest === null ? null : new Date(st.newest), lineAt: x.atMs === null ? null : new Date(x.atMs) }, x.retentionClass ?? "application", policy);
      const { atMs: _drop, ...finding } = x;
      findings.push({ ...finding, expiresAt: at?.toISOString() ?? null, overdue: !!at && at.getTime() < now });
    }
    if (opened) {
      report.filesSearched++;
      const fileExpires = f.rotated ? retention.reduce<string | null>((a, x) => (x.expiresAt && (!a || x.expiresAt > a) ? x.expiresAt : a), null) : null;
      report.files.push({
        file: f.path, source: f.source, origin: f.origin, matches: st.findings.length,
        newestLineAt: iso(st.newest), oldestLineAt: iso(st.oldest), expiresAt: fileExpires,
        rotated: f.rotated, gzip: r.gzip, lines: r.lines, bytes: r.bytesRead,
        retention, overdue: retention.some((x) => x.overdue),
      });
    }
    report.linesScanned = report.files.reduce((a, x) => a + (x.lines ?? 0), 0);
    progress(f.path, i + 1);
    if (r.aborted) break;
  }
  return { findings, report };
}
