import { toSafeCsv, type CsvColumn } from "@/lib/csv";
import type { Records, Row } from "@/lib/exports/records";

// One CSV per record kind, through lib/csv.ts (papaparse, spreadsheet formulas neutralised).
// Columns are fixed per kind so an empty file still has its header line.

const ts = (n: string) => [n, `${n}Original`, `${n}Unit`];

export const CSV_COLUMNS: Record<keyof Records, string[]> = {
  bindings: ["server", "table", "rowId", "medium", "address", "mxid", "state", "originServer", "originId", ...ts("ts"), ...ts("notBefore"), ...ts("notAfter"), "lookupHash", "deliveredToPeers", "pendingForPeers"],
  sessions: ["server", "table", "sid", "medium", "address", "validated", ...ts("mtime"), "tokenRows"],
  invites_to: ["server", "table", "rowId", "medium", "address", "roomId", "sender", "state", ...ts("received"), ...ts("sent")],
  invites_from: ["server", "table", "rowId", "medium", "address", "roomId", "sender", "state", ...ts("received"), ...ts("sent")],
  v2_account: ["server", "table", "userId", ...ts("created"), "consentVersion", "activeTokens"],
  accepted_terms: ["server", "table", "userId", "url"],
  embedded_in_other_records: ["server", "table", "column", "count", "embeds", "statement"],
  log_lines: ["source", "origin", "file", "lineNo", "at", "expiresAt", "matched", "line"],
  recipients: ["server", "recipient", "kind", "active"],
  access_history: ["seq", "at", "role", "action", "purpose", "outcome"],
};

function cell(v: unknown): unknown {
  return Array.isArray(v) ? v.join(" ") : v;
}

export function csvFor(kind: keyof Records, rows: Row[]): string {
  const columns: CsvColumn<Row>[] = CSV_COLUMNS[kind].map((k) => ({ header: k, value: (r) => cell(r[k]) }));
  return toSafeCsv(rows, columns);
}

/** File name inside the zip; the access history is the "who accessed your data" file. */
export function csvName(kind: keyof Records): string {
  return kind === "access_history" ? "who-accessed.csv" : `csv/${kind}.csv`;
}
