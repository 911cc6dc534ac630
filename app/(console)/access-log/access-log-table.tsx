"use client";

import type { ChainFields } from "@/lib/audit/chain";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table/data-table";
import { logTime } from "@/lib/audit/present-time";

// The access log's columns; paging, sorting and the URL are components/data-table's job.
// Sortable column ids are exactly lib/audit/schemas.ts ACCESS_LOG_SORTS.

/** An entry as the table shows it: the chain's own fields (no copy to drift), `at` as ISO text,
 * plus what people read instead of ids (request reference, staff name, purpose label). */
export type AccessLogTableRow = Pick<
  ChainFields,
  "seq" | "actorId" | "actorLabel" | "actorRole" | "action" | "targetType" | "targetPseudonym" | "targetRef" | "requestId" | "purpose" | "outcome" | "ip"
> & { at: string; actorName: string | null; requestRef: string | null; targetName: string | null; purposeLabel: string | null; purposeNote: string | null };

const OUTCOME_BADGE: Record<string, string> = { ok: "badge badge-ok", denied: "badge badge-bad", error: "badge badge-bad", invalid: "badge badge-warn", not_found: "badge" };

const columns: ColumnDef<AccessLogTableRow>[] = [
  {
    id: "seq", accessorKey: "seq", header: "Seq", meta: { className: "num" },
    cell: ({ getValue }) => <Link href={`/access-log/${getValue<number>()}`} aria-label={`Open entry ${getValue<number>()}`}>{getValue<number>()}</Link>,
  },
  {
    id: "at",
    accessorKey: "at",
    header: "Time (UTC)",
    meta: { className: "nowrap" },
    cell: ({ getValue }) => <time dateTime={getValue<string>()}>{logTime(getValue<string>())}</time>,
  },
  {
    id: "actorLabel", accessorKey: "actorLabel", header: "Actor",
    cell: ({ row: { original: r } }) => (
      <span>{r.actorName ?? <span className="wrap-any">{r.actorLabel}</span>}<br /><span className="muted small">{r.actorRole}</span></span>
    ),
  },
  { id: "action", accessorKey: "action", header: "Action", cell: ({ getValue }) => <span className="mono wrap-any">{getValue<string>()}</span> },
  {
    id: "target",
    header: "Target",
    enableSorting: false,
    cell: ({ row: { original: r } }) => {
      if (!r.targetType) return <span className="muted">—</span>;
      if (r.targetPseudonym) {
        const short = r.targetPseudonym.slice(0, 10);
        return (
          <span>
            {r.targetType}{" "}
            <Link className="mono" href={`/access-log?target=${r.targetPseudonym}`} title={`Pseudonym ${r.targetPseudonym}: show every entry about this target`}>
              {short}…
            </Link>
          </span>
        );
      }
      if (r.targetType === "request" && r.targetName && r.targetRef) return <span>request <Link className="mono" href={`/requests/${r.targetRef}`}>{r.targetName}</Link></span>;
      return <span>{r.targetType} <span className="mono wrap-any">{r.targetName ?? r.targetRef}</span></span>;
    },
  },
  {
    id: "requestId", accessorKey: "requestId", header: "Request", enableSorting: false, meta: { className: "nowrap" },
    cell: ({ row: { original: r } }) => (!r.requestId ? "" : r.requestRef
      ? <Link className="mono" href={`/requests/${r.requestId}`}>{r.requestRef}</Link>
      : <span className="mono muted" title="Not in the register">{r.requestId.slice(0, 8)}…</span>),
  },
  {
    id: "purpose", accessorKey: "purpose", header: "Purpose", enableSorting: false,
    cell: ({ row: { original: r } }) => (!r.purpose ? "" : (
      <span className="clamp" title={r.purpose}>{r.purposeLabel && <strong>{r.purposeLabel}{r.purposeNote ? ": " : ""}</strong>}{r.purposeNote}</span>
    )),
  },
  {
    id: "outcome",
    accessorKey: "outcome",
    header: "Outcome",
    cell: ({ getValue }) => <span className={OUTCOME_BADGE[getValue<string>()] ?? "badge"}>{getValue<string>()}</span>,
  },
  { id: "ip", accessorKey: "ip", header: "IP", enableSorting: false, cell: ({ getValue }) => <span className="mono wrap-any">{getValue<string | null>() ?? ""}</span> },
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
