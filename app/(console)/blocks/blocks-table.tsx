"use client";

import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table/data-table";
import { FilterBar, type FilterDef } from "@/components/data-table/filter-bar";
import { BLOCK_KINDS, KIND_LABELS } from "@/lib/blocks/targets";
import { ApproveBlockForm, LiftBlockForm, RenewBlockForm } from "./block-forms";

// Columns and filters of the blocks list; table state lives in the URL (components/data-table).

export type BlockRow = {
  id: string;
  kind: string;
  value: string;
  scope: string;
  state: string;
  reason: string;
  createdBy: string;
  approvedBy: string | null;
  expiresAt: string;
  createdAt: string;
  canManage: boolean;
  isOwn: boolean;
  renewDefault: string;
};

const TONE: Record<string, string> = { active: "badge-bad", pending: "badge-warn", lifted: "badge-ok", expired: "badge-ok" };

const columns: ColumnDef<BlockRow>[] = [
  { id: "kind", header: "Kind", cell: ({ row }) => KIND_LABELS[row.original.kind as keyof typeof KIND_LABELS] ?? row.original.kind },
  { id: "value", header: "Target", enableSorting: false, cell: ({ row }) => <span className="mono">{row.original.value}</span> },
  { id: "scope", header: "Scope", enableSorting: false, cell: ({ row }) => row.original.scope },
  { id: "state", header: "State", cell: ({ row }) => <span className={`badge ${TONE[row.original.state] ?? ""}`}>{row.original.state}</span> },
  { id: "expiresAt", header: "Expires (UTC)", cell: ({ row }) => row.original.expiresAt },
  { id: "reason", header: "Reason", enableSorting: false, cell: ({ row }) => row.original.reason },
  { id: "createdAt", header: "Created", cell: ({ row }) => <>{row.original.createdAt}<br /><span className="muted">{row.original.createdBy}{row.original.approvedBy ? `, approved by ${row.original.approvedBy}` : ""}</span></> },
  {
    id: "actions",
    header: "Actions",
    enableSorting: false,
    cell: ({ row }) => {
      const r = row.original;
      if (!r.canManage || (r.state !== "active" && r.state !== "pending")) return null;
      const label = `${r.kind} ${r.value}`;
      return (
        <div style={{ display: "grid", gap: ".4rem" }}>
          {r.state === "pending" && !r.isOwn && <ApproveBlockForm id={r.id} />}
          {r.state === "pending" && r.isOwn && <span className="muted">Waiting for a second person</span>}
          <LiftBlockForm id={r.id} label={label} />
          {r.state === "active" && <RenewBlockForm id={r.id} label={label} defaultExpiry={r.renewDefault} />}
        </div>
      );
    },
  },
];

export function BlocksTable(props: { rows: BlockRow[]; count: number; page: number; pageSize: number; sort: { id: string; desc: boolean } }) {
  return (
    <DataTable columns={columns} data={props.rows} rowCount={props.count} page={props.page} pageSize={props.pageSize} sort={props.sort}
      caption="Abuse blocks" getRowId={(r) => r.id} emptyMessage="No block matches these filters." />
  );
}

export function BlocksFilters() {
  const filters: FilterDef[] = [
    { id: "state", label: "State", type: "select", options: [{ value: "all", label: "Any state" }, ...["active", "pending", "lifted", "expired"].map((s) => ({ value: s, label: s }))], hint: "Default: active and pending" },
    { id: "kind", label: "Kind", type: "select", options: BLOCK_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] })) },
    { id: "q", label: "Target contains", type: "text" },
  ];
  return <FilterBar filters={filters} />;
}
