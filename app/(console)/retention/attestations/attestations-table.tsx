"use client";

import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table/data-table";

// The signed retention attestations, paged, sorted and filtered by the server
// (lib/retention/queries.ts#findAttestations); sortable column ids are exactly ATTESTATION_SORTS.

export type AttestationRow = { id: string; createdAt: string; kind: string; operatorLabel: string; overdue: boolean; findings: number; accessLogSeq: number | null; payloadSha256: string };

const columns: ColumnDef<AttestationRow>[] = [
  { id: "createdAt", accessorKey: "createdAt", header: "When (UTC)", meta: { className: "nowrap" }, cell: ({ row: { original: a } }) => a.createdAt.slice(0, 19).replace("T", " ") },
  { id: "kind", accessorKey: "kind", header: "Kind" },
  { id: "operatorLabel", accessorKey: "operatorLabel", header: "By" },
  { id: "overdue", header: "Overdue", enableSorting: false, cell: ({ row: { original: a } }) => (a.overdue ? "yes" : "no") },
  { id: "findings", accessorKey: "findings", header: "Findings", meta: { className: "num" } },
  { id: "accessLogSeq", accessorKey: "accessLogSeq", header: "Access-log entry", meta: { className: "num" } },
  { id: "sha", header: "SHA-256", enableSorting: false, cell: ({ row: { original: a } }) => <span className="mono">{a.payloadSha256.slice(0, 16)}…</span> },
  { id: "download", header: "Download", enableSorting: false,
    cell: ({ row: { original: a } }) => <a href={`/api/retention/attestations/${a.id}`} download>Download {a.kind} attestation {a.createdAt.slice(0, 10)}</a> },
];

export function AttestationsTable(props: { rows: AttestationRow[]; count: number; page: number; pageSize: number; sort: { id: string; desc: boolean } }) {
  return (
    <DataTable columns={columns} data={props.rows} rowCount={props.count} page={props.page} pageSize={props.pageSize} sort={props.sort}
      caption="Signed retention attestations" getRowId={(r) => r.id} emptyMessage="No attestation matches." />
  );
}
