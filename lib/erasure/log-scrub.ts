import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { randomBytes } from "node:crypto";
import { classifyLogName, type LogFile } from "@/lib/logs/files";
import { compileNeedles, type Needles } from "@/lib/logs/needles";
import { parseLineTime, type LogSource } from "@/lib/logs/parse";
import { DEFAULT_RETENTION_POLICY, expiresAt, lineClass, type RetentionPolicy } from "@/lib/logs/retention";

// Log scrubbing for erasure phase 2 (issue 4 section 4): removes every line that mentions the
// subject - the same needles and matcher as the log search (lib/logs/needles.ts) - from plain and
// gzipped (rotated) log files. Kept lines stay byte-identical (lines are split on \n as bytes).
// Each file is rewritten ATOMICALLY: a temp file in the same directory, fsync, the original's
// mode, owner and atime/mtime restored, then rename() over the original and fsync of the
// directory. A crash leaves either the old file or the new one, never half of one.
// A corrupt or truncated .gz is reported and left untouched (its lines cannot be read whole).
//
// RACE WITH A LIVE WRITER: Sydent's TimedRotatingFileHandler (and rsyslog for HAProxy) keeps the
// CURRENT file open and appends to it; a rename() over it would leave the writer appending to
// the old, unlinked inode (lines lost) and anything written between our read and our rename
// would be dropped. So only ROTATED files are scrubbed by default; for the current file the
// matching lines are counted and reported with the date they expire under the retention policy
// (they leave with rotation + retention). `includeCurrent` scrubs it too - for a stopped server
// only. As a last guard, a file whose size or mtime changed while we worked is not replaced.

export type ScrubFileResult = {
  file: string;
  status: "scrubbed" | "clean" | "current-left" | "problem";
  linesRemoved: number;
  /** Current file left in place: lines mentioning the subject, and when the last one expires. */
  linesLeft?: number;
  expiresAt?: string | null;
  problem?: string;
};
export type ScrubResult = {
  files: ScrubFileResult[];
  linesRemoved: number;
  filesRewritten: number;
  filesWithProblems: number;
  currentLinesLeft: number;
  lastCurrentCopyExpiresAt: string | null;
};
export type ScrubOptions = { includeCurrent?: boolean; policy?: RetentionPolicy };

type Input = string | Pick<LogFile, "path" | "source" | "origin">;

function describe(f: Input): { path: string; source: LogSource; origin: string } {
  if (typeof f !== "string") return { path: f.path, source: f.source, origin: f.origin };
  const source: LogSource = /haproxy/i.test(path.basename(f)) ? "haproxy" : "sydent";
  return { path: f, source, origin: source === "haproxy" ? "haproxy" : path.basename(path.dirname(f)) };
}

/** Splits on \n as bytes: joining the kept parts with \n restores them exactly. */
export function splitLines(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, start)) {
    out.push(buf.subarray(start, i));
    start = i + 1;
  }
  out.push(buf.subarray(start));
  return out;
}

export function writeAtomically(target: string, data: Buffer, st: fs.Stats): void {
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.scrub-${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  const fd = fs.openSync(tmp, "wx", 0o600);
  try {
    fs.writeSync(fd, data);
    fs.fchmodSync(fd, st.mode & 0o7777);
    try {
      fs.fchownSync(fd, st.uid, st.gid);
    } catch (e) {
      // Not root: only possible when we already are the owner, which the new file then has.
      if ((e as NodeJS.ErrnoException).code !== "EPERM") throw e;
    }
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.utimesSync(tmp, st.atime, st.mtime);
  const now = fs.statSync(target);
  if (now.size !== st.size || now.mtimeMs !== st.mtimeMs) {
    fs.rmSync(tmp, { force: true });
    throw new Error("the file changed while it was being scrubbed (a writer is appending to it); left as it was");
  }
  fs.renameSync(tmp, target);
  const dfd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(dfd);
  } finally {
    fs.closeSync(dfd);
  }
}

async function scrubOne(input: Input, matcher: ReturnType<typeof compileNeedles>, o: ScrubOptions): Promise<ScrubFileResult> {
  const f = describe(input);
  const kind = classifyLogName(path.basename(f.path));
  let st: fs.Stats;
  let raw: Buffer;
  try {
    st = fs.statSync(f.path);
    if (!st.isFile()) return { file: f.path, status: "problem", linesRemoved: 0, problem: "not a regular file" };
    raw = fs.readFileSync(f.path);
  } catch (e) {
    return { file: f.path, status: "problem", linesRemoved: 0, problem: `cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})` };
  }
  const gzip = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  let text: Buffer;
  try {
    text = gzip ? zlib.gunzipSync(raw) : raw;
  } catch (e) {
    return { file: f.path, status: "problem", linesRemoved: 0, problem: `corrupt or truncated gzip, left untouched (${(e as Error).message})` };
  }
  const current = !kind.rotated && !gzip;
  const lines = splitLines(text);
  const kept: Buffer[] = [];
  let removed = 0;
  let lastExpiry: Date | null = null;
  const policy = o.policy ?? DEFAULT_RETENTION_POLICY;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].toString("utf8");
    if (matcher.match(line, { source: f.source, origin: f.origin }).length === 0) {
      kept.push(lines[i]);
      continue;
    }
    removed++;
    if (current && !o.includeCurrent) {
      const exp = expiresAt({ lineAt: parseLineTime(f.source, line), fileNewestLineAt: null, rotated: false }, lineClass(policy, f.source, line), policy);
      if (exp && (!lastExpiry || exp > lastExpiry)) lastExpiry = exp;
    }
    if (i % 5000 === 0) await new Promise<void>((r) => setImmediate(r));
  }
  if (removed === 0) return { file: f.path, status: "clean", linesRemoved: 0 };
  if (current && !o.includeCurrent) {
    return { file: f.path, status: "current-left", linesRemoved: 0, linesLeft: removed, expiresAt: lastExpiry?.toISOString() ?? null };
  }
  const body = Buffer.concat(kept.flatMap((b, i) => (i === 0 ? [b] : [Buffer.from("\n"), b])));
  try {
    writeAtomically(f.path, gzip ? zlib.gzipSync(body) : body, st);
  } catch (e) {
    return { file: f.path, status: "problem", linesRemoved: 0, problem: (e as Error).message };
  }
  return { file: f.path, status: "scrubbed", linesRemoved: removed };
}

/** Scrubs each file in turn; never throws for a bad file (it is reported). */
export async function scrubLogFiles(files: Input[], needles: Partial<Needles>, o: ScrubOptions = {}): Promise<ScrubResult> {
  const matcher = compileNeedles({ emails: needles.emails ?? [], msisdns: needles.msisdns ?? [], mxids: needles.mxids ?? [], sids: needles.sids ?? [] });
  const results: ScrubFileResult[] = [];
  for (const f of files) results.push(matcher.empty ? { file: describe(f).path, status: "clean", linesRemoved: 0 } : await scrubOne(f, matcher, o));
  const left = results.filter((r) => r.status === "current-left");
  const last = left.map((r) => r.expiresAt).filter((x): x is string => !!x).sort().pop() ?? null;
  return {
    files: results,
    linesRemoved: results.reduce((n, r) => n + r.linesRemoved, 0),
    filesRewritten: results.filter((r) => r.status === "scrubbed").length,
    filesWithProblems: results.filter((r) => r.status === "problem").length,
    currentLinesLeft: left.reduce((n, r) => n + (r.linesLeft ?? 0), 0),
    lastCurrentCopyExpiresAt: last,
  };
}
