import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import type { ServerLogConfig } from "@/lib/logs/files";
import { FIXTURE_DIR } from "@/lib/sydent/test-fixtures";

// Test-only helpers: the fixture's log configuration, truth.json's subjects and log inventory,
// and an independent plain scan (whole file in memory, gunzipSync + split) to compare against.

export type TruthSubject = {
  key: string;
  mxid: string | null;
  threepids: { medium: "email" | "msisdn"; address: string; spellings_seen: string[] }[];
  validation_sessions: { instance: string; sid: number }[];
};
export type TruthLogFile = {
  path: string; real: boolean; kind: "sydent" | "haproxy"; instance: string | null; gzip: boolean;
  last_timestamp: string; lines: number; older_than_days?: Record<"7" | "60" | "180", boolean>;
};
type TruthLogs = { subjects: TruthSubject[]; log_files: TruthLogFile[]; reference_now: string };

export const truthLogs: TruthLogs = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, "truth.json"), "utf8"));
export const referenceNow = new Date(truthLogs.reference_now);

export function fixtureServers(dir = FIXTURE_DIR): ServerLogConfig[] {
  return ["is1", "is2"].map((label) => ({
    label,
    sydentLogPaths: [path.join(dir, label, "sydent.log*")],
    haproxyLogPaths: [path.join(dir, "haproxy", "haproxy.log*")],
  }));
}

/** All lines of a file, the simple way (a truncated .gz gives what zlib can decode). */
export function plainLines(file: string): string[] {
  const buf = fs.readFileSync(file);
  const text = buf[0] === 0x1f && buf[1] === 0x8b ? zlib.gunzipSync(buf, { finishFlush: zlib.constants.Z_SYNC_FLUSH }) : buf;
  const lines = text.toString("utf8").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export function needlesOf(s: TruthSubject) {
  const emails = s.threepids.filter((t) => t.medium === "email").flatMap((t) => [t.address, ...t.spellings_seen]);
  return {
    emails: [...new Set(emails)],
    msisdns: s.threepids.filter((t) => t.medium === "msisdn").map((t) => t.address),
    mxids: s.mxid ? [s.mxid] : [],
    sids: s.validation_sessions.map((v) => String(v.sid)),
  };
}

/** Does a line mention the subject? Plain substring tests, written independently of lib/logs. */
export function mentions(line: string, source: "sydent" | "haproxy", n: ReturnType<typeof needlesOf>): boolean {
  const lower = line.toLowerCase();
  for (const e of n.emails) {
    if (lower.includes(e.toLowerCase()) || lower.includes(encodeURIComponent(e).toLowerCase())) return true;
  }
  for (const m of n.msisdns) if (new RegExp(`(?<!\\d)${m}(?!\\d)`).test(line)) return true;
  for (const x of n.mxids) if (line.includes(x) || lower.includes(encodeURIComponent(x).toLowerCase())) return true;
  for (const sid of n.sids) {
    const re = source === "sydent" ? new RegExp(`(?<![0-9A-Za-z])${sid}(?![0-9A-Za-z])`) : new RegExp(`sid=${sid}(?!\\d)`);
    if (re.test(line)) return true;
  }
  return false;
}

/**
 * Gives the copies of the fixture's log files under `root` (laid out like the fixture) the mtime a
 * real log file has: the time of its last line (truth.json's last_timestamp, UTC). A fresh copy
 * or checkout would otherwise look "written seconds ago", and enforcement leaves such files alone
 * (lib/retention/enforce.ts#writerGuard).
 */
export function dateLogCopies(root: string): void {
  for (const f of truthLogs.log_files) {
    const p = path.join(root, f.path);
    if (!fs.existsSync(p)) continue;
    const t = new Date(`${f.last_timestamp}Z`);
    fs.utimesSync(p, t, t);
  }
}
