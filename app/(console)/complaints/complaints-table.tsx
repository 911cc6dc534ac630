"use client";

import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table/data-table";
import { FilterBar, type FilterDef } from "@/components/data-table/filter-bar";
import { COMPLAINT_STATE_LABELS, COMPLAINT_STATES, TARGETS, type ComplaintState, type Severity } from "@/lib/complaints/catalogue";

export type ComplaintRow = {
  id: string; reference: string; severity: string; state: string; summary: string; complainant: string; owner: string | null;
  firstResponseDue: string; resolutionDue: string; firstResponseLate: boolean; resolutionLate: boolean;
};

const columns: ColumnDef<ComplaintRow>[] = [
  { id: "reference", header: "Reference", cell: ({ row }) => <Link href={`/complaints/${row.original.id}`}>{row.original.reference}</Link> },
  { id: "severity", header: "Severity", cell: ({ row }) => TARGETS[row.original.severity as Severity]?.label.split(" (")[0] ?? row.original.severity },
  { id: "state", header: "State", enableSorting: false, cell: ({ row }) => COMPLAINT_STATE_LABELS[row.original.state as ComplaintState] ?? row.original.state },
  { id: "summary", header: "Summary", enableSorting: false, cell: ({ row }) => row.original.summary },
  { id: "complainant", header: "Complainant", enableSorting: false, cell: ({ row }) => row.original.complainant },
  { id: "owner", header: "Owner", enableSorting: false, cell: ({ row }) => row.original.owner ?? <span className="muted">Unassigned</span> },
  {
    id: "firstResponseDue", header: "First response by (UTC)",
    cell: ({ row }) => <>{row.original.firstResponseDue}{row.original.firstResponseLate && <> <span className="badge badge-bad">LATE</span></>}</>,
  },
  {
    id: "resolutionDue", header: "Resolve by (UTC)",
    cell: ({ row }) => <>{row.original.resolutionDue}{row.original.resolutionLate && <> <span className="badge badge-bad">LATE</span></>}</>,
  },
];

export function ComplaintsTable(props: { rows: ComplaintRow[]; count: number; page: number; pageSize: number; sort: { id: string; desc: boolean } }) {
  return (
    <DataTable columns={columns} data={props.rows} rowCount={props.count} page={props.page} pageSize={props.pageSize} sort={props.sort}
      caption="Complaints" getRowId={(r) => r.id} emptyMessage="No complaint matches these filters." />
  );
}

export function ComplaintsFilters() {
  const filters: FilterDef[] = [
    { id: "state", label: "State", type: "select", options: [{ value: "unresolved", label: "Not resolved" }, ...COMPLAINT_STATES.map((s) => ({ value: s, label: COMPLAINT_STATE_LABELS[s] }))] },
    { id: "mine", label: "Owner", type: "select", options: [{ value: "1", label: "Mine" }] },
  ];
  return <FilterBar filters={filters} label="Filter complaints" />;
}
