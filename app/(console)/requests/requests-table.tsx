"use client";

import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table/data-table";
import { FilterBar, type FilterDef } from "@/components/data-table/filter-bar";
import { REQUEST_TYPE_LABELS, REQUEST_TYPES, type RequestType } from "@/lib/requests/catalogue";
import { REQUEST_STATES, STATE_LABELS } from "@/lib/requests/states";
import { StateBadge } from "./state-badge";

// Columns and filters of the request register; state lives in the URL (components/data-table).

export type RequestRow = {
  id: string;
  reference: string;
  type: string;
  state: string;
  requester: string;
  receivedAt: string;
  due: string;
  extended: boolean;
  daysLeft: number | null;
  isOverdue: boolean;
  assignee: string | null;
};

function DaysLeft({ row }: { row: RequestRow }) {
  if (row.daysLeft === null) return <span className="muted">Closed</span>;
  if (row.isOverdue) return <span className="badge badge-bad">OVERDUE {-row.daysLeft}d</span>;
  const tone = row.daysLeft <= 7 ? "badge-warn" : "badge-ok";
  return <span className={`badge ${tone}`}>{row.daysLeft === 0 ? "Due today" : `${row.daysLeft} days`}</span>;
}

const columns: ColumnDef<RequestRow>[] = [
  { id: "reference", header: "Reference", cell: ({ row }) => <Link className="mono" href={`/requests/${row.original.id}`}>{row.original.reference}</Link> },
  { id: "type", header: "Type", cell: ({ row }) => REQUEST_TYPE_LABELS[row.original.type as RequestType] ?? row.original.type },
  { id: "state", header: "State", cell: ({ row }) => <StateBadge state={row.original.state} /> },
  { id: "requester", header: "Requester", enableSorting: false, cell: ({ row }) => row.original.requester },
  { id: "receivedAt", header: "Received", cell: ({ row }) => row.original.receivedAt },
  {
    id: "due",
    header: "Due",
    cell: ({ row }) => <>{row.original.due}{row.original.extended && <span className="muted"> (extended)</span>}</>,
  },
  { id: "daysLeft", header: "Days left", enableSorting: false, cell: ({ row }) => <DaysLeft row={row.original} /> },
  { id: "assignee", header: "Assignee", enableSorting: false, cell: ({ row }) => row.original.assignee ?? <span className="muted">Unassigned</span> },
];

export function RequestsTable(props: { rows: RequestRow[]; count: number; page: number; pageSize: number; sort: { id: string; desc: boolean } }) {
  return (
    <DataTable
      columns={columns}
      data={props.rows}
      rowCount={props.count}
      page={props.page}
      pageSize={props.pageSize}
      sort={props.sort}
      caption="Requests"
      getRowId={(r) => r.id}
      emptyMessage="No request matches these filters."
    />
  );
}

export function RequestsFilters({ staff }: { staff: { value: string; label: string }[] }) {
  const filters: FilterDef[] = [
    { id: "overdue", label: "Overdue", type: "select", options: [{ value: "1", label: "Overdue only" }] },
    { id: "type", label: "Type", type: "select", options: REQUEST_TYPES.map((t) => ({ value: t, label: REQUEST_TYPE_LABELS[t] })) },
    {
      id: "state",
      label: "State",
      type: "select",
      options: [{ value: "open", label: "Any open state" }, ...REQUEST_STATES.map((s) => ({ value: s, label: STATE_LABELS[s] }))],
    },
    {
      id: "assignee",
      label: "Assignee",
      type: "select",
      options: [{ value: "me", label: "Me" }, { value: "unassigned", label: "Unassigned" }, ...staff],
    },
    { id: "q", label: "Reference", type: "text", placeholder: "REQ-2025-0001", maxLength: 40 },
  ];
  return <FilterBar filters={filters} label="Filter requests" />;
}
