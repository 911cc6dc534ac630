"use client";

import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table/data-table";
import type { BatchRowView } from "@/lib/erasure/bulk-queries";

// Per-row results of a bulk batch: masked identifiers, status and message, paged on the server.

const LABELS: Record<string, string> = {
  pending: "Checking", valid: "Held", nothing_held: "Nothing held", rejected: "Rejected", done: "Erased", failed: "Failed",
};
const TONE: Record<string, string> = { valid: "badge-warn", nothing_held: "badge-ok", done: "badge-ok", rejected: "badge-bad", failed: "badge-bad" };

const columns: ColumnDef<BatchRowView>[] = [
  { id: "rowNo", header: "Row", enableSorting: false, meta: { className: "num" }, cell: ({ row }) => row.original.rowNo },
  { id: "subject", header: "Subject (masked)", enableSorting: false, cell: ({ row }) => <span className="mono">{row.original.masked}</span> },
  { id: "status", header: "Status", enableSorting: false, cell: ({ row }) => <span className={`badge ${TONE[row.original.status] ?? ""}`}>{LABELS[row.original.status] ?? row.original.status}</span> },
  { id: "message", header: "Result", enableSorting: false, cell: ({ row }) => row.original.message ?? "" },
  { id: "job", header: "Erasure", enableSorting: false, cell: ({ row }) => (row.original.jobId ? <Link href={`/erasures/${row.original.jobId}`}>Job</Link> : null) },
];

export function BatchRowsTable(props: { rows: BatchRowView[]; count: number; page: number; pageSize: number }) {
  return (
    <DataTable columns={columns} data={props.rows} rowCount={props.count} page={props.page} pageSize={props.pageSize} caption="Rows of this batch" getRowId={(r) => r.id} emptyMessage="No rows." />
  );
}
