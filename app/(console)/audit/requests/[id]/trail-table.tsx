"use client";

import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table/data-table";
import { logTime } from "@/lib/audit/present-time";

// A request's trail, a page at a time; paging, sorting and the URL are components/data-table's
// job. Sortable column ids are exactly lib/audit/workspace/schemas.ts TRAIL_SORTS.

export type TrailTableRow = {
  seq: number; at: string; actorLabel: string; actorRole: string; action: string; outcome: string;
  targetType: string | null; targetPseudonym: string | null; requestId: string | null; requestRef: string | null;
  /** "request": the entry names the request; "subject": only its target is a linked person. */
  match: "request" | "subject";
};

const columns: ColumnDef<TrailTableRow>[] = [
  {
    id: "seq", accessorKey: "seq", header: "Seq", meta: { className: "num" },
    cell: ({ getValue }) => <Link href={`/access-log/${getValue<number>()}`} aria-label={`Open entry ${getValue<number>()}`}>{getValue<number>()}</Link>,
  },
  { id: "at", accessorKey: "at", header: "When (UTC)", meta: { className: "nowrap" }, cell: ({ getValue }) => <time dateTime={getValue<string>()}>{logTime(getValue<string>())}</time> },
  {
    id: "actorLabel", accessorKey: "actorLabel", header: "Who",
    cell: ({ row: { original: r } }) => <span><span className="wrap-any">{r.actorLabel}</span><br /><span className="muted small">{r.actorRole}</span></span>,
  },
  { id: "action", accessorKey: "action", header: "Action", cell: ({ getValue }) => <span className="mono wrap-any">{getValue<string>()}</span> },
  {
    id: "target", header: "Target", enableSorting: false,
    cell: ({ row: { original: r } }) => (r.targetPseudonym
      ? <span>{r.targetType} <Link className="mono" href={`/access-log?target=${r.targetPseudonym}`} title={`Pseudonym ${r.targetPseudonym}`}>{r.targetPseudonym.slice(0, 10)}…</Link></span>
      : <span>{r.targetType ?? "—"}</span>),
  },
  {
    id: "requestId", header: "Request", enableSorting: false, meta: { className: "nowrap" },
    cell: ({ row: { original: r } }) => (!r.requestId ? <span className="muted">none</span> : <span className="mono">{r.requestRef ?? `${r.requestId.slice(0, 8)}…`}</span>),
  },
  { id: "outcome", accessorKey: "outcome", header: "Outcome" },
  {
    id: "match", header: "In the trail because", enableSorting: false,
    cell: ({ row: { original: r } }) => (r.match === "subject"
      ? <span className="badge badge-warn">matched by subject, not linked to the request</span>
      : <span className="muted">names the request</span>),
  },
];

export function TrailTable(props: { rows: TrailTableRow[]; count: number; page: number; pageSize: number; sort: { id: string; desc: boolean } }) {
  return (
    <DataTable
      columns={columns}
      data={props.rows}
      rowCount={props.count}
      page={props.page}
      pageSize={props.pageSize}
      sort={props.sort}
      caption="Request trail"
      getRowId={(r) => String(r.seq)}
      emptyMessage="No access-log entry names this request yet."
    />
  );
}
