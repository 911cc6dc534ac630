import fs from "node:fs";
import path from "node:path";
import type { LogSource } from "@/lib/logs/parse";
import type { LogFileProblem } from "@/lib/subjects/types";
import { consoleOwnFile, consoleOwnFileMatching, consoleOwnPaths, isInsideLogRoots, logRootsMessage, ownFileMessage } from "@/lib/logs/roots";

// Resolves a registered server's log paths (IdentityServer.sydentLogPaths / haproxyLogPaths: JSON
// arrays of paths or patterns such as "/var/log/sydent/sydent.log*") into files, classified as
// current or rotated and plain or gzipped. Node 20 has no fs.glob, so patterns are expanded here:
// '*' and '?' in the LAST path segment only (a directory listing, never a recursive walk);
// a wildcard in a directory segment is refused as a bad pattern.
//
// Rotated names: Sydent's TimedRotatingFileHandler(when="midnight") -> sydent.log.YYYY-MM-DD
// (other 'when' values add _HH, _HH-MM, _HH-MM-SS); Debian's logrotate -> haproxy.log.N or, with
// dateext, haproxy.log-YYYYMMDD; either may end in .gz. The fixture's derived copies carry
// ".synthetic-aged" before ".gz" (shared/fixtures/sydent-real/README.md); it is accepted anywhere.

export type Rotation =
  | { kind: "current" }
  | { kind: "date"; date: string }
  | { kind: "index"; index: number };

export type LogFile = {
  path: string;
  source: LogSource;
  /** The server's label for Sydent logs, "haproxy" for HAProxy logs. */
  origin: string;
  /** The configured path or pattern this file came from. */
  pattern: string;
  rotated: boolean;
  rotation: Rotation;
  /** By name (".gz"); the search also checks the gzip magic bytes. */
  gzip: boolean;
  syntheticAged: boolean;
  /** Set when the configured path could not be resolved to a readable file. */
  problem?: LogFileProblem;
};

export type ServerLogConfig = { label: string; sydentLogPaths: string[]; haproxyLogPaths: string[] };

const ROTATED = /(?:\.(\d{4}-\d{2}-\d{2}(?:_\d{2}(?:-\d{2}){0,2})?)|-(\d{8})|\.(\d{1,4}))$/;

export function classifyLogName(fileName: string): Pick<LogFile, "rotated" | "rotation" | "gzip" | "syntheticAged"> {
  let name = fileName;
  const gzip = /\.gz$/i.test(name);
  if (gzip) name = name.slice(0, -3);
  const syntheticAged = name.includes(".synthetic-aged");
  name = name.replace(/\.synthetic-aged/g, "");
  const m = ROTATED.exec(name);
  if (!m) return { rotated: gzip, rotation: { kind: "current" }, gzip, syntheticAged };
  const rotation: Rotation = m[1]
    ? { kind: "date", date: m[1] }
    : m[2]
      ? { kind: "date", date: `${m[2].slice(0, 4)}-${m[2].slice(4, 6)}-${m[2].slice(6)}` }
      : { kind: "index", index: Number(m[3]) };
  return { rotated: true, rotation, gzip, syntheticAged };
}

/** Newest first: the current file, then rotations by date (descending) or index (ascending). */
function rotationOrder(a: LogFile, b: LogFile): number {
  const rank = (f: LogFile) => (f.rotation.kind === "current" ? 0 : 1);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (a.rotation.kind === "date" && b.rotation.kind === "date") return b.rotation.date.localeCompare(a.rotation.date);
  if (a.rotation.kind === "index" && b.rotation.kind === "index") return a.rotation.index - b.rotation.index;
  return a.path.localeCompare(b.path);
}

const hasWildcard = (s: string) => /[*?]/.test(s);

function segmentRegex(segment: string): RegExp {
  const body = segment.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
  return new RegExp(`^${body}$`);
}

/** Does the last-segment pattern `base` match the file name `name`? (Hidden files only by a pattern starting with "."). */
const nameMatcher = (base: string) => {
  const re = segmentRegex(base);
  return (name: string) => re.test(name) && (base.startsWith(".") || !name.startsWith("."));
};

/**
 * Why a configured log path or pattern is refused, or null: outside the log roots, or it is, lies
 * in or (as a pattern) matches one of the console's own files (lib/logs/roots.ts). Registration
 * and every read ask the same question.
 */
export function logPathRefusal(pattern: string): string | null {
  const abs = path.resolve(pattern);
  const dir = path.dirname(abs);
  const base = path.basename(abs);
  if (!isInsideLogRoots(hasWildcard(base) ? dir : abs)) return logRootsMessage();
  const own = consoleOwnFile(hasWildcard(base) ? dir : abs);
  if (own) return ownFileMessage(pattern, own, "is");
  const matched = hasWildcard(base) ? consoleOwnFileMatching(dir, nameMatcher(base)) : null;
  return matched ? ownFileMessage(pattern, matched, "matches") : null;
}

type Expanded = { paths: string[]; problem?: Omit<LogFileProblem, "file"> };

const errProblem = (e: NodeJS.ErrnoException, what: string): Omit<LogFileProblem, "file"> =>
  e.code === "ENOENT" || e.code === "ENOTDIR"
    ? { problem: "missing", detail: `${what} does not exist.` }
    : { problem: "unreadable", detail: `${what} cannot be read (${e.code ?? "error"}).` };

/** A path or a last-segment pattern -> existing regular files (symlinks followed). */
export function expandLogPattern(pattern: string): Expanded {
  const abs = path.resolve(pattern);
  const dir = path.dirname(abs);
  const base = path.basename(abs);
  if (hasWildcard(dir)) return { paths: [], problem: { problem: "bad-pattern", detail: "Wildcards are only supported in the file name, not in directories." } };
  if (!isInsideLogRoots(dir)) return { paths: [], problem: { problem: "bad-pattern", detail: logRootsMessage() } };
  const refused = logPathRefusal(abs);
  if (refused && hasWildcard(base)) return { paths: [], problem: { problem: "bad-pattern", detail: refused } };
  if (!hasWildcard(base)) {
    try {
      const st = fs.statSync(abs);
      if (!st.isFile()) return { paths: [], problem: { problem: "not-a-file", detail: "The path is a directory or another non-regular file." } };
      if (refused) return { paths: [], problem: { problem: "bad-pattern", detail: refused } };
      return { paths: [abs] };
    } catch (e) {
      return { paths: [], problem: errProblem(e as NodeJS.ErrnoException, "The file") };
    }
  }
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    return { paths: [], problem: errProblem(e as NodeJS.ErrnoException, "The directory") };
  }
  const own = consoleOwnPaths();
  const paths = names
    .filter(nameMatcher(base))
    .map((n) => path.join(dir, n))
    .filter((p) => {
      try {
        // A symlink out of the roots, or to one of the console's own files, is skipped.
        return fs.statSync(p).isFile() && isInsideLogRoots(p) && !consoleOwnFile(p, own);
      } catch {
        return false; // vanished between listing and stat (rotation), or a dangling link
      }
    });
  if (paths.length === 0) return { paths: [], problem: { problem: "missing", detail: "No file matches the pattern." } };
  return { paths };
}

function realKey(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** Every log file of the given servers, each once (HAProxy logs are often shared by servers). */
export async function findLogFiles(servers: ServerLogConfig[]): Promise<LogFile[]> {
  const out: LogFile[] = [];
  const seen = new Set<string>();
  const add = (source: LogSource, origin: string, patterns: string[]) => {
    const group: LogFile[] = [];
    for (const pattern of patterns) {
      const key = `${source}\0${path.resolve(pattern)}`;
      const { paths, problem } = expandLogPattern(pattern);
      if (problem) {
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ path: path.resolve(pattern), source, origin, pattern, ...classifyLogName(path.basename(pattern)), problem: { file: path.resolve(pattern), ...problem } });
        continue;
      }
      for (const p of paths) {
        const k = realKey(p);
        if (seen.has(k)) continue;
        seen.add(k);
        group.push({ path: p, source, origin, pattern, ...classifyLogName(path.basename(p)) });
      }
    }
    out.push(...group.sort(rotationOrder));
  };
  for (const s of servers) add("sydent", s.label, s.sydentLogPaths);
  for (const s of servers) add("haproxy", "haproxy", s.haproxyLogPaths);
  return out;
}
