import path from "node:path";
import { z } from "zod";
import { csvHeader, csvRows, type CsvColumn } from "@/lib/csv";
import { RETENTION_CLASSES, type RetentionClass } from "@/lib/logs/retention";
import type { FileVerdict } from "@/lib/retention/audit-files";
import type { AttestedFile, SourceView } from "@/lib/retention/queries";
import { paginationSchema, sortSchema, textParam } from "@/lib/validation";

// The files of one log source as the retention page lists them: filtered, sorted and paged on the
// server (the page and the CSV export share the URL contract below). The rows come from the newest
// signed attestation of the source (lib/retention/queries.ts), never from re-reading the logs.
// A source has one file per rotation (a year of daily rotation is ~365), so filtering the
// attestation's list in memory is cheap; only the page asked for goes to the browser.

export const FILE_VERDICTS: readonly FileVerdict[] = ["current-too-old", "expired", "straddling", "unreadable", "changed-while-read", "future-lines", "undatable", "missing", "within"];

/** Severity, most urgent first: the files table's default order puts what needs action on top. */
const VERDICT_RANK: Record<FileVerdict, number> = Object.fromEntries(FILE_VERDICTS.map((v, i) => [v, i])) as Record<FileVerdict, number>;

export const VERDICT_LABELS: Record<FileVerdict, string> = {
  within: "within policy", expired: "expired: delete", straddling: "some lines expired: rewrite", "current-too-old": "current file too old (rotation)",
  undatable: "cannot be dated", unreadable: "cannot be read", "changed-while-read": "changed while read", "future-lines": "future timestamps", missing: "missing",
};

/** The verdict filter: "overdue" is any file holding a line past its period (expired, straddling or current-too-old). */
export const VERDICT_FILTERS = ["overdue", ...FILE_VERDICTS] as const;
export type VerdictFilter = (typeof VERDICT_FILTERS)[number];
export const VERDICT_FILTER_LABELS: Record<VerdictFilter, string> = { overdue: "overdue (any line past its period)", ...VERDICT_LABELS };

export const RETENTION_FILE_SORTS = ["verdict", "name", "lines", "overdueLines", "oldest", "newest", "mtime", "goneBy", "overdueDays"] as const;
export type RetentionFileSort = (typeof RETENTION_FILE_SORTS)[number];

export const retentionFileFilterSchema = z.object({
  verdict: z.enum(VERDICT_FILTERS).optional().catch(undefined),
  class: z.enum(RETENTION_CLASSES as readonly [RetentionClass, ...RetentionClass[]]).optional().catch(undefined),
  gzip: z.enum(["yes", "no"]).optional().catch(undefined),
  rotated: z.enum(["rotated", "current"]).optional().catch(undefined),
  q: textParam(200),
});
export type RetentionFileFilter = z.infer<typeof retentionFileFilterSchema>;

export const retentionFileSearchSchema = paginationSchema
  .extend(sortSchema(RETENTION_FILE_SORTS, "verdict", "asc").shape)
  .extend(retentionFileFilterSchema.shape);
export type RetentionFileSearch = z.infer<typeof retentionFileSearchSchema>;

const FILTER_KEYS = Object.keys(retentionFileFilterSchema.shape) as (keyof RetentionFileFilter)[];

/** Only the filters that are set (for URLs and access-log details); paging and sort are not filters. */
export function activeFileFilters(f: RetentionFileFilter): Partial<Record<keyof RetentionFileFilter, string>> {
  return Object.fromEntries(FILTER_KEYS.filter((k) => f[k] !== undefined).map((k) => [k, f[k]])) as Partial<Record<keyof RetentionFileFilter, string>>;
}

/** The classes of line a file holds, in the notice's order; null when the attestation predates per-file classes. */
export function fileClasses(f: AttestedFile): RetentionClass[] | null {
  if (!f.classes) return null;
  return RETENTION_CLASSES.filter((c) => (f.classes![c]?.lines ?? 0) > 0);
}

export function matchesFile(f: AttestedFile, o: RetentionFileFilter): boolean {
  if (o.verdict === "overdue" ? f.overdueLines === 0 : o.verdict && f.verdict !== o.verdict) return false;
  if (o.class && !fileClasses(f)?.includes(o.class)) return false;
  if (o.gzip && f.gzip !== (o.gzip === "yes")) return false;
  if (o.rotated && f.rotated !== (o.rotated === "rotated")) return false;
  if (o.q && !path.basename(f.file).toLowerCase().includes(o.q.toLowerCase())) return false;
  return true;
}

type Key = string | number | null;
const KEYS: Record<RetentionFileSort, (f: AttestedFile) => Key> = {
  verdict: (f) => VERDICT_RANK[f.verdict] ?? FILE_VERDICTS.length,
  name: (f) => path.basename(f.file),
  lines: (f) => f.lines,
  overdueLines: (f) => f.overdueLines,
  oldest: (f) => f.oldestLineAt,
  newest: (f) => f.newestLineAt,
  mtime: (f) => f.mtime,
  goneBy: (f) => f.mustBeGoneBy,
  overdueDays: (f) => f.overdueDays,
};

const byName = (a: AttestedFile, b: AttestedFile) => (path.basename(a.file) < path.basename(b.file) ? -1 : path.basename(a.file) > path.basename(b.file) ? 1 : 0) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);

/**
 * Sorted copy. Missing values (a file that could not be dated has no oldest line) go last in
 * either direction. Ties: most overdue first, then by name, so the order is stable and the
 * default (verdict, most urgent first) lists the overdue files as the findings do.
 */
export function sortFiles(files: AttestedFile[], sort: RetentionFileSort, dir: "asc" | "desc"): AttestedFile[] {
  const key = KEYS[sort];
  const d = dir === "asc" ? 1 : -1;
  return [...files].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
    } else if (x !== y) return (x < y ? -1 : 1) * d;
    return b.overdueDays - a.overdueDays || byName(a, b);
  });
}

export type FilePage = { data: AttestedFile[]; count: number; total: number; page: number; pageSize: number; classesKnown: boolean };

/** One page of a source's files after filtering and sorting; a page past the end shows the last one. */
export function findRetentionFiles(source: Pick<SourceView, "files">, s: RetentionFileSearch): FilePage {
  const rows = sortFiles(source.files.filter((f) => matchesFile(f, s)), s.sort, s.dir);
  const count = rows.length;
  const lastPage = Math.max(1, Math.ceil(count / s.pageSize));
  const page = Math.min(s.page, lastPage);
  return {
    data: rows.slice((page - 1) * s.pageSize, page * s.pageSize), count, total: source.files.length, page, pageSize: s.pageSize,
    classesKnown: source.files.every((f) => f.classes !== undefined),
  };
}

/** The export's columns: what the table shows plus the codes and full path (no log line). */
export function retentionFileCsvColumns(sourceKey: string, attestationId: string): CsvColumn<AttestedFile>[] {
  return [
    { header: "source", value: () => sourceKey },
    { header: "file", value: (f) => path.basename(f.file) },
    { header: "path", value: (f) => f.file },
    { header: "verdict", value: (f) => f.verdict },
    { header: "verdict (text)", value: (f) => VERDICT_LABELS[f.verdict] ?? f.verdict },
    { header: "rotated", value: (f) => (f.rotated ? "yes" : "no") },
    { header: "gzip", value: (f) => (f.gzip ? "yes" : "no") },
    { header: "classes", value: (f) => fileClasses(f)?.join(" ") ?? "" },
    { header: "lines", value: (f) => f.lines },
    { header: "overdue lines", value: (f) => f.overdueLines },
    { header: "oldest line (UTC)", value: (f) => f.oldestLineAt },
    { header: "newest line (UTC)", value: (f) => f.newestLineAt },
    { header: "mtime (UTC)", value: (f) => f.mtime },
    { header: "gone by (UTC)", value: (f) => f.mustBeGoneBy },
    { header: "overdue days", value: (f) => f.overdueDays },
    { header: "attestation", value: () => attestationId },
  ];
}

/** The whole filtered, sorted list as CSV (formula-neutralised by lib/csv.ts). */
export function retentionFilesCsv(source: SourceView, s: Pick<RetentionFileSearch, "sort" | "dir"> & RetentionFileFilter): { csv: string; rows: number } {
  const rows = sortFiles(source.files.filter((f) => matchesFile(f, s)), s.sort, s.dir);
  const columns = retentionFileCsvColumns(source.source, source.attestationId);
  return { csv: csvHeader(columns) + csvRows(rows, columns), rows: rows.length };
}

export const retentionFilesCsvFilename = (sourceKey: string, at: string) =>
  `custodian-retention-files-${sourceKey.replace(/[^A-Za-z0-9_.-]+/g, "-")}-${at.slice(0, 10)}.csv`;
