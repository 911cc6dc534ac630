import Papa from "papaparse";

// Every CSV the console produces goes through here. Cells that a spreadsheet would run as a
// formula (OWASP "CSV injection": a first character of = + - @ TAB or CR) get a leading
// apostrophe, which spreadsheets show as text; papaparse then quotes and escapes the cell.
// Only strings are neutralised: a typed number such as -5 is data, not a formula, and stays as is.
// (papaparse's own escapeFormulae is not used: its /^[=+\-@\t\r].*$/ misses cells with a line
// break, e.g. "=1+1\nx".) Lines end with CRLF (RFC 4180).

export type CsvColumn<T> = { header: string; value: (row: T) => unknown };

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell as CSV-safe text. */
export function neutraliseCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  const text = value instanceof Date ? value.toISOString() : typeof value === "string" ? value : JSON.stringify(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

const NEWLINE = "\r\n";

function unparse(rows: string[][]): string {
  return rows.length === 0 ? "" : Papa.unparse(rows, { newline: NEWLINE, header: false }) + NEWLINE;
}

/** The header line, CRLF-terminated. */
export function csvHeader<T>(columns: CsvColumn<T>[]): string {
  return unparse([columns.map((c) => neutraliseCell(c.header))]);
}

/** Data lines only, each CRLF-terminated (for streaming page by page after csvHeader). */
export function csvRows<T>(rows: T[], columns: CsvColumn<T>[]): string {
  return unparse(rows.map((r) => columns.map((c) => neutraliseCell(c.value(r)))));
}

/** A whole CSV document: header line, then one line per row. */
export function toSafeCsv<T>(rows: T[], columns: CsvColumn<T>[]): string {
  return csvHeader(columns) + csvRows(rows, columns);
}
