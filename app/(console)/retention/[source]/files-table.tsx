"use client";

import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table/data-table";

// One log source's files (from its newest signed attestation); filtering, sorting and paging are
// the server's (lib/retention/files-table.ts), the URL is components/data-table's. Sortable column
// ids are exactly RETENTION_FILE_SORTS; a column needs an accessor to be sortable in TanStack.

export type RetentionFileRow = {
  file: string;
  name: string;
  verdict: string;
  verdictLabel: string;
  overdue: boolean;
  rotated: boolean;
  gzip: boolean;
  classes: string | null;
  lines: number;
  overdueLines: number;
  oldest: string | null;
  newest: string | null;
  mtime: string | null;
  goneBy: string | null;
  overdueDays: number;
};

const BAD = new Set(["expired", "straddling", "current-too-old"]);
const WARN = new Set(["undatable", "unreadable", "changed-while-read", "future-lines", "missing"]);
const dash = (v: string | null) => v ?? "—";

const columns: ColumnDef<RetentionFileRow>[] = [
  { id: "name", accessorKey: "name", header: "File",
    cell: ({ row: { original: f } }) => (
      <span>
        <span className="mono wrap-any">{f.name}</span>
        <br /><span className="muted small">{f.rotated ? "rotated" : "current"}{f.gzip ? ", gzip" : ", plain"}</span>
      </span>
    ),
  },
  { id: "verdict", accessorKey: "verdict", header: "Verdict",
    cell: ({ row: { original: f } }) => <span className={`badge ${BAD.has(f.verdict) ? "badge-bad" : WARN.has(f.verdict) ? "badge-warn" : "badge-ok"}`}>{f.verdictLabel}</span>,
  },
  { id: "classes", header: "Classes", enableSorting: false, cell: ({ row: { original: f } }) => f.classes ?? <span className="muted">—</span> },
  { id: "lines", accessorKey: "lines", header: "Lines", meta: { className: "num" }, cell: ({ row: { original: f } }) => f.lines.toLocaleString("en-GB") },
  { id: "overdueLines", accessorKey: "overdueLines", header: "Overdue lines", meta: { className: "num" }, cell: ({ row: { original: f } }) => (f.overdueLines ? f.overdueLines.toLocaleString("en-GB") : "—") },
  { id: "oldest", accessorKey: "oldest", header: "Oldest line", meta: { className: "nowrap" }, cell: ({ row: { original: f } }) => dash(f.oldest) },
  { id: "newest", accessorKey: "newest", header: "Newest line", meta: { className: "nowrap" }, cell: ({ row: { original: f } }) => dash(f.newest) },
  { id: "mtime", accessorKey: "mtime", header: "mtime", meta: { className: "nowrap" }, cell: ({ row: { original: f } }) => dash(f.mtime) },
  { id: "goneBy", accessorKey: "goneBy", header: "Gone by", meta: { className: "nowrap" }, cell: ({ row: { original: f } }) => dash(f.goneBy) },
  { id: "overdueDays", accessorKey: "overdueDays", header: "Overdue (days)", meta: { className: "num" }, cell: ({ row: { original: f } }) => f.overdueDays || "—" },
];

export function RetentionFilesTable(props: { rows: RetentionFileRow[]; count: number; page: number; pageSize: number; sort: { id: string; desc: boolean } }) {
  return (
    <DataTable
      columns={columns}
      data={props.rows}
      rowCount={props.count}
      page={props.page}
      pageSize={props.pageSize}
      sort={props.sort}
      caption="Files"
      getRowId={(r) => r.file}
      emptyMessage="No file of this source matches these filters."
    />
  );
}
