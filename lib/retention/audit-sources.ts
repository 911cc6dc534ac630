import path from "node:path";
import { findLogFiles, type LogFile, type ServerLogConfig } from "@/lib/logs/files";
import { RETENTION_CLASSES, type RetentionClass, type RetentionPolicy } from "@/lib/logs/retention";
import { auditLogFile, DAY_MS, type FileAudit } from "@/lib/retention/audit-files";

// Audits every log source of the registered servers: each Sydent log (per server) and each
// HAProxy log (shared), every file in it, current and rotated. Findings come first (source level
// plus each file's), then the files. The audit never stops half-way: a file that cannot be read
// is a finding, and the next file is read.

export type SourceKey = string; // "sydent:<label>" | "haproxy:haproxy"
export const sourceKeyOf = (f: Pick<LogFile, "source" | "origin">): SourceKey => `${f.source}:${f.origin}`;

export type SourceFinding = {
  kind: "overdue" | "expired-file" | "straddling-file" | "current-too-old" | "rotation-keeps-too-much" | "undatable" | "unreadable" | "changed-while-read" | "future-lines" | "missing";
  file: string | null;
  overdueDays?: number;
  detail: string;
};

export type ClassChart = { periodDays: number; lines: number; overdueLines: number; oldestAt: string | null; ageDays: Record<number, number> };

export type SourceAudit = {
  key: SourceKey;
  source: LogFile["source"];
  origin: string;
  patterns: string[];
  policy: RetentionPolicy;
  files: FileAudit[];
  findings: SourceFinding[];
  classes: Partial<Record<RetentionClass, ClassChart>>;
  overdue: boolean;
  maxOverdueDays: number;
};

const RANK: Record<SourceFinding["kind"], number> = {
  overdue: 0, "current-too-old": 1, "expired-file": 2, "straddling-file": 3, "rotation-keeps-too-much": 4,
  unreadable: 5, "changed-while-read": 6, "future-lines": 7, undatable: 8, missing: 9,
};

function sourceFindings(files: FileAudit[], policy: RetentionPolicy, nowMs: number): SourceFinding[] {
  const out: SourceFinding[] = [];
  for (const f of files) {
    const name = path.basename(f.path);
    if (f.verdict === "expired") out.push({ kind: "expired-file", file: f.path, overdueDays: f.overdueDays, detail: `${name}: every line is past its period; the file should have been deleted (overdue by ${f.overdueDays} day(s)).` });
    else if (f.verdict === "straddling") out.push({ kind: "straddling-file", file: f.path, overdueDays: f.overdueDays, detail: `${name}: ${f.overdueLines} of ${f.lines} line(s) are past their period (the first by ${f.overdueDays} day(s)).` });
    for (const x of f.findings) {
      if (x.kind === "overdue" || x.kind === "within" || x.kind === "expired" || x.kind === "straddling") continue;
      out.push({ kind: x.kind, file: f.path, overdueDays: x.overdueDays ?? (x.kind === "current-too-old" ? f.overdueDays : undefined), detail: `${name}: ${x.detail}` });
    }
  }
  // Rotation set-up: rotated files kept longer than the longest period of the classes they hold.
  const present = RETENTION_CLASSES.filter((c) => files.some((f) => f.classes[c]));
  const longest = present.length ? Math.max(...present.map((c) => policy.periodDays[c])) : null;
  const rotated = files.filter((f) => f.rotated && f.newestLineAt);
  const span = rotated.length ? Math.max(...rotated.map((f) => Math.floor((nowMs - Date.parse(f.newestLineAt!)) / DAY_MS))) : 0;
  if (longest !== null && span > longest) {
    const sydent = files[0]?.source === "sydent";
    out.push({
      kind: "rotation-keeps-too-much",
      file: null,
      detail: `${rotated.length} rotated file(s) are kept, the oldest ending ${span} day(s) ago: more than the longest period here (${longest} days). ` +
        (sydent
          ? "Sydent's handler keeps 365 daily files (TimedRotatingFileHandler backupCount=365, not configurable in sydent.conf): run retention:enforce from cron."
          : `Set logrotate's "rotate" to at most ${longest} for daily rotation, or run retention:enforce from cron.`),
    });
  }
  if (files.some((f) => f.verdict === "straddling") && files[0]?.source === "sydent") {
    out.push({ kind: "rotation-keeps-too-much", file: null, detail: "Daily files mix lookup lines (7 days) with other lines (60 days): no rotation setting keeps both promises; only rewriting the files (retention:enforce) does." });
  }
  const overdue = files.filter((f) => f.overdueLines > 0);
  if (overdue.length) {
    const days = Math.max(...overdue.map((f) => f.overdueDays));
    out.unshift({ kind: "overdue", file: null, overdueDays: days, detail: `${overdue.reduce((n, f) => n + f.overdueLines, 0)} line(s) in ${overdue.length} file(s) are past their retention period, the oldest by ${days} day(s).` });
  }
  return out.sort((a, b) => RANK[a.kind] - RANK[b.kind] || (b.overdueDays ?? 0) - (a.overdueDays ?? 0));
}

function chart(files: FileAudit[]): Partial<Record<RetentionClass, ClassChart>> {
  const out: Partial<Record<RetentionClass, ClassChart>> = {};
  for (const f of files) {
    for (const c of RETENTION_CLASSES) {
      const s = f.classes[c];
      if (!s) continue;
      const t = (out[c] ??= { periodDays: s.periodDays, lines: 0, overdueLines: 0, oldestAt: null, ageDays: {} });
      t.lines += s.lines;
      t.overdueLines += s.overdueLines;
      if (s.oldestAt && (!t.oldestAt || s.oldestAt < t.oldestAt)) t.oldestAt = s.oldestAt;
      for (const [d, n] of Object.entries(s.ageDays)) t.ageDays[Number(d)] = (t.ageDays[Number(d)] ?? 0) + n;
    }
  }
  return out;
}

export type AuditOptions = { now: Date; policyFor(key: SourceKey): RetentionPolicy; hash?: boolean; onFile?(done: number, total: number, file: string): void };

/** Audits every source of the given servers. */
export async function auditLogSources(servers: ServerLogConfig[], o: AuditOptions): Promise<SourceAudit[]> {
  const files = await findLogFiles(servers);
  const groups = new Map<SourceKey, LogFile[]>();
  for (const f of files) {
    const k = sourceKeyOf(f);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(f);
  }
  const out: SourceAudit[] = [];
  let done = 0;
  for (const [key, group] of groups) {
    const policy = o.policyFor(key);
    // Two files at a time: one file's gunzip (zlib's thread pool) overlaps the other's line parsing.
    const audits: FileAudit[] = new Array(group.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < group.length; i = next++) {
        audits[i] = await auditLogFile(group[i], policy, o.now, { hash: o.hash });
        o.onFile?.(++done, files.length, group[i].path);
      }
    };
    await Promise.all([worker(), worker()]);
    const findings = sourceFindings(audits, policy, o.now.getTime());
    out.push({
      key, source: group[0].source, origin: group[0].origin, patterns: [...new Set(group.map((g) => g.pattern))], policy,
      files: audits, findings, classes: chart(audits),
      overdue: audits.some((a) => a.overdueLines > 0),
      maxOverdueDays: Math.max(0, ...audits.map((a) => a.overdueDays)),
    });
  }
  return out;
}

export const daysBetween = (a: Date, b: Date) => Math.floor((a.getTime() - b.getTime()) / DAY_MS);
