"use client";

import type { ChainFields } from "@/lib/audit/chain";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table/data-table";

// The access log's columns; paging, sorting and the URL are components/data-table's job.
// Sortable column ids are exactly lib/audit/schemas.ts ACCESS_LOG_SORTS.

/** An entry as the table shows it: the chain's own fields (no copy to drift), `at` as ISO text. */
export type AccessLogTableRow = Pick<
  ChainFields,
  "seq" | "actorLabel" | "actorRole" | "action" | "targetType" | "targetPseudonym" | "targetRef" | "requestId" | "purpose" | "outcome" | "ip"
> & { at: string };

const OUTCOME_BADGE: Record<string, string> = { ok: "badge badge-ok", denied: "badge badge-bad", error: "badge badge-bad", invalid: "badge badge-warn", not_found: "badge" };

const columns: ColumnDef<AccessLogTableRow>[] = [
  { id: "seq", accessorKey: "seq", header: "Seq", meta: { className: "num" } },
  {
    id: "at",
    accessorKey: "at",
    header: "Time (UTC)",
    cell: ({ getValue }) => <time dateTime={getValue<string>()}>{getValue<string>().replace("T", " ").slice(0, 19)}</time>,
  },
  { id: "actorLabel", accessorKey: "actorLabel", header: "Actor" },
  { id: "actorRole", accessorKey: "actorRole", header: "Role", enableSorting: false },
  { id: "action", accessorKey: "action", header: "Action", cell: ({ getValue }) => <span className="mono">{getValue<string>()}</span> },
  {
    id: "target",
    header: "Target",
    enableSorting: false,
    cell: ({ row: { original: r } }) => {
      if (!r.targetType) return <span className="muted">—</span>;
      if (r.targetPseudonym) {
        const short = r.targetPseudonym.slice(0, 12);
        return (
          <span>
            {r.targetType}{" "}
            <Link className="mono" href={`/access-log?target=${r.targetPseudonym}`} title={`Pseudonym ${r.targetPseudonym}: show every entry about this target`}>
              {short}…
            </Link>
          </span>
        );
      }
      return <span>{r.targetType} <span className="mono">{r.targetRef}</span></span>;
    },
  },
  { id: "requestId", accessorKey: "requestId", header: "Request", enableSorting: false, cell: ({ getValue }) => <span className="mono">{getValue<string | null>() ?? ""}</span> },
  { id: "purpose", accessorKey: "purpose", header: "Purpose", enableSorting: false },
  {
    id: "outcome",
    accessorKey: "outcome",
    header: "Outcome",
    cell: ({ getValue }) => <span className={OUTCOME_BADGE[getValue<string>()] ?? "badge"}>{getValue<string>()}</span>,
  },
  { id: "ip", accessorKey: "ip", header: "IP", enableSorting: false, cell: ({ getValue }) => <span className="mono">{getValue<string | null>() ?? ""}</span> },
];

export function AccessLogTable(props: { rows: AccessLogTableRow[]; count: number; page: number; pageSize: number; sort: { id: string; desc: boolean } }) {
  return (
    <DataTable
      columns={columns}
      data={props.rows}
      rowCount={props.count}
      page={props.page}
      pageSize={props.pageSize}
      sort={props.sort}
      caption="Access log entries"
      getRowId={(r) => String(r.seq)}
      emptyMessage="No access-log entries match these filters."
    />
  );
}
