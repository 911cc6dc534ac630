"use client";

import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table/data-table";
import { FilterBar, type FilterDef } from "@/components/data-table/filter-bar";
import { CreateBlockForm } from "../blocks/block-forms";

// The abuse view's table: one row per (category, kind, key) with counts; "Block this" opens the
// block form pre-filled (the target travels in the form's POST, never in a URL).

export type AbuseTableRow = {
  id: string;
  category: string;
  kind: string;
  key: string;
  count: number;
  lastSeen: string;
  chartHref: string | null;
  block: { kind: string; target: string; scope: string; defaultExpiry: string } | null;
};

const CATEGORY_LABELS: Record<string, string> = {
  source: "Client address", network: "Network", ratelimit: "Sydent rate limit", threepid: "Validation target", domain: "E-mail domain", homeserver: "Inviting homeserver",
};

// Module-level columns: cell renderers keep their identity across refreshes, so an open
// "Block this" form and its result message survive the server action's revalidation.
const columns: ColumnDef<AbuseTableRow>[] = [
  { id: "category", header: "What", enableSorting: false, cell: ({ row }) => CATEGORY_LABELS[row.original.category] ?? row.original.category },
  { id: "kind", header: "Request kind", enableSorting: false, cell: ({ row }) => row.original.kind },
  { id: "key", header: "Source or target", cell: ({ row }) => <span className="mono">{row.original.key}</span> },
  { id: "count", header: "Count", cell: ({ row }) => row.original.count },
  { id: "lastSeen", header: "Last seen (UTC)", cell: ({ row }) => row.original.lastSeen },
  {
    id: "actions",
    header: "Actions",
    enableSorting: false,
    cell: ({ row }) => {
      const r = row.original;
      return (
        <div style={{ display: "grid", gap: ".4rem" }}>
          {r.chartHref && <Link href={r.chartHref}>Requests over time<span className="sr-only"> for {r.key}</span></Link>}
          {r.block && (
            <details>
              <summary>Block this<span className="sr-only">: {r.key}</span></summary>
              <CreateBlockForm kind={r.block.kind} target={r.block.target} scope={r.block.scope} defaultExpiry={r.block.defaultExpiry} compact />
            </details>
          )}
        </div>
      );
    },
  },
];

export function AbuseTable(props: { rows: AbuseTableRow[]; count: number; page: number; pageSize: number; sort: { id: string; desc: boolean } }) {
  return (
    <DataTable columns={columns} data={props.rows} rowCount={props.count} page={props.page} pageSize={props.pageSize} sort={props.sort}
      caption="Busiest sources and targets" getRowId={(r) => r.id} emptyMessage="Nothing in the logs matches these filters in this window." />
  );
}

export function AbuseFilters({ kinds }: { kinds: string[] }) {
  const filters: FilterDef[] = [
  { id: "category", label: "What", type: "select", options: Object.entries(CATEGORY_LABELS).map(([value, label]) => ({ value, label })) },
  { id: "kind", label: "Request kind", type: "select", options: kinds.map((k) => ({ value: k, label: k })) },
  { id: "q", label: "Contains", type: "text" },
  { id: "from", label: "From (UTC)", type: "date" },
  { id: "to", label: "To (UTC, inclusive)", type: "date" },
  ];
  return <FilterBar filters={filters} />;
}
