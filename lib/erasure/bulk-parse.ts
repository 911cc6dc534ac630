import { isUtf8 } from "node:buffer";
import Papa from "papaparse";
import { parseEmail, parseMxid, parsePhone } from "@/lib/subjects/parse";
import { toSafeCsv, type CsvColumn } from "@/lib/csv";

// Reads a bulk-erasure CSV (issue 4 section 7): UTF-8 (a BOM is fine), a header line naming the
// kind - "mxid" for deactivated Matrix IDs, "medium,address" for 3PIDs - and one subject a row.
// A whole-file problem (encoding, header, too many rows) refuses the file and changes nothing;
// a row problem rejects that row only, with a specific message. Messages never repeat the
// input (they are stored, shown and downloaded): they name rows and columns, not identifiers.
// Parsing goes chunk by chunk with a yield between chunks, so 100,000 lines do not block the
// server's event loop.

export const MAX_DATA_ROWS = 100_000;
export type BulkKind = "mxid" | "threepid";
export type BulkSubject = { type: "mxid" | "email" | "msisdn"; value: string };
export type ParsedRow = {
  rowNo: number;
  /** The cells as uploaded (for the rejected-rows CSV). */
  values: string[];
  subject: BulkSubject | null;
  error: string | null;
};
export type ParseOutcome =
  | { ok: true; kind: BulkKind; header: string[]; rows: ParsedRow[]; validRows: number; rejectedRows: number }
  | { ok: false; error: string };

export const HEADERS: Record<BulkKind, string[]> = { mxid: ["mxid"], threepid: ["medium", "address"] };
const EXPECTED = `"mxid" (deactivated Matrix IDs) or "medium,address" (e-mail addresses and phone numbers)`;

/** Where the bytes stop being UTF-8, as a 1-based line number. */
function badUtf8Line(bytes: Buffer): { line: number; byte: number } {
  let start = 0;
  let line = 1;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      if (!isUtf8(bytes.subarray(start, i))) {
        const bad = bytes.subarray(start, i).findIndex((b) => b >= 0x80);
        return { line, byte: bytes[start + Math.max(0, bad)] };
      }
      start = i + 1;
      line++;
    }
  }
  return { line: 0, byte: 0 };
}

/** Bytes → text, or a whole-file error naming the encoding problem. */
export function decodeUpload(input: Uint8Array | string): { ok: true; text: string } | { ok: false; error: string } {
  if (typeof input === "string") {
    if (input.includes("\uFFFD")) return { ok: false, error: replacementError(input) };
    return { ok: true, text: input.replace(/^\uFEFF/, "") };
  }
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, error: "The file is UTF-16 (it starts with a UTF-16 byte-order mark). Save it as \"CSV UTF-8\" and upload it again." };
  }
  if (!isUtf8(bytes)) {
    const { line, byte } = badUtf8Line(bytes);
    return {
      ok: false,
      error:
        `The file is not UTF-8: line ${line} holds the byte 0x${byte.toString(16).toUpperCase().padStart(2, "0")}, which is not valid UTF-8 ` +
        `(the file is probably Latin-1 or Windows-1252). Save it as "CSV UTF-8" and upload it again. Nothing was stored.`,
    };
  }
  const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
  if (text.includes("\uFFFD")) return { ok: false, error: replacementError(text) };
  return { ok: true, text };
}

function replacementError(text: string): string {
  const line = text.slice(0, text.indexOf("\uFFFD")).split("\n").length;
  return (
    `Line ${line} holds the replacement character U+FFFD: the file was damaged by a conversion from another encoding. ` +
    `Export it again as "CSV UTF-8" from the original. Nothing was stored.`
  );
}

/** Undoes lib/csv.ts's formula neutralising, so a downloaded rejected-rows file can be re-uploaded. */
export function unneutralise(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

function headerKind(cells: string[]): { kind: BulkKind; columns: number } | null {
  const h = cells.map((c) => c.replace(/^\uFEFF/, "").trim().toLowerCase());
  // A re-uploaded rejected-rows file carries an extra "error" column: ignored.
  const core = h[h.length - 1] === "error" ? h.slice(0, -1) : h;
  for (const kind of ["mxid", "threepid"] as const) {
    if (core.length === HEADERS[kind].length && core.every((c, i) => c === HEADERS[kind][i])) return { kind, columns: core.length };
  }
  return null;
}

function checkRow(kind: BulkKind, raw: string[], columns: number, defaultCountry?: string): { subject: BulkSubject | null; error: string | null } {
  const cells = raw.slice(0, columns).map((c) => unneutralise(c).trim());
  if (raw.every((c) => c.trim() === "")) return { subject: null, error: "Empty row." };
  if (raw.length < columns) return { subject: null, error: `Expected ${columns} columns (${HEADERS[kind].join(",")}), found ${raw.length}.` };
  if (kind === "mxid") {
    const r = parseMxid(cells[0]);
    return r.ok && r.query.kind === "mxid" ? { subject: { type: "mxid", value: r.query.mxid }, error: null } : { subject: null, error: r.ok ? "Not a Matrix ID." : r.message };
  }
  const medium = cells[0].toLowerCase();
  if (medium === "email") {
    const r = parseEmail(cells[1]);
    return r.ok && r.query.kind === "email" ? { subject: { type: "email", value: r.query.address }, error: null } : { subject: null, error: r.ok ? "Not an email address." : r.message };
  }
  if (medium === "msisdn" || medium === "phone") {
    const r = parsePhone(cells[1], { defaultCountry });
    return r.ok && r.query.kind === "msisdn" ? { subject: { type: "msisdn", value: r.query.address }, error: null } : { subject: null, error: r.ok ? "Not a phone number." : r.message };
  }
  return { subject: null, error: `Unknown medium: the medium column must be "email" or "msisdn".` };
}

export type ParseBulkOptions = { defaultCountry?: string; maxRows?: number };

/** Parses the whole upload; resolves with per-row results or a whole-file error. */
export async function parseBulkCsv(input: Uint8Array | string, opts: ParseBulkOptions = {}): Promise<ParseOutcome> {
  const decoded = decodeUpload(input);
  if (!decoded.ok) return decoded;
  const max = opts.maxRows ?? MAX_DATA_ROWS;
  const rows: ParsedRow[] = [];
  const seen = new Map<string, number>();
  let header: { kind: BulkKind; columns: number; cells: string[] } | null = null;
  let fileError: string | null = null;
  let pendingEmpty: number[] = [];
  let rowNo = 0;

  const take = (cells: string[]) => {
    if (!header) {
      const h = headerKind(cells);
      if (!h) {
        fileError = `The first line must be the header ${EXPECTED}; this file's first line (${cells.length} column${cells.length === 1 ? "" : "s"}) is not. Nothing was stored.`;
        return false;
      }
      header = { ...h, cells: HEADERS[h.kind] };
      return true;
    }
    rowNo++;
    if (rowNo > max) {
      fileError = `The file has more than ${max.toLocaleString("en-GB")} data rows. Split it into files of at most ${max.toLocaleString("en-GB")} rows. Nothing was stored.`;
      return false;
    }
    const empty = cells.every((c) => c.trim() === "");
    // Empty lines are only an error when something follows them (a trailing blank line is not a row).
    if (empty) {
      pendingEmpty.push(rowNo);
      return true;
    }
    for (const n of pendingEmpty) rows.push({ rowNo: n, values: [""], subject: null, error: "Empty row." });
    pendingEmpty = [];
    const { subject, error } = checkRow(header.kind, cells, header.columns, opts.defaultCountry);
    let err = error;
    if (subject) {
      const key = `${subject.type}:${subject.value}`;
      const first = seen.get(key);
      if (first !== undefined) err = `Duplicate of row ${first}.`;
      else seen.set(key, rowNo);
    }
    rows.push({ rowNo, values: cells.slice(0, header.columns), subject: err ? null : subject, error: err });
    return true;
  };

  await new Promise<void>((resolve) => {
    Papa.parse<string[]>(decoded.text, {
      header: false,
      skipEmptyLines: false,
      chunkSize: 256 * 1024,
      chunk: (res: Papa.ParseResult<string[]>, parser: Papa.Parser) => {
        for (const cells of res.data) {
          if (!take(cells)) {
            parser.abort();
            return;
          }
        }
        parser.pause();
        setImmediate(() => parser.resume());
      },
      complete: () => resolve(),
    });
  });
  if (fileError) return { ok: false, error: fileError };
  if (!header) return { ok: false, error: `The file is empty: it needs the header ${EXPECTED} and at least one row. Nothing was stored.` };
  if (rows.length === 0) return { ok: false, error: "The file has a header but no rows. Nothing was stored." };
  const h: { kind: BulkKind; cells: string[] } = header;
  const rejectedRows = rows.filter((r) => r.error).length;
  return { ok: true, kind: h.kind, header: h.cells, rows, validRows: rows.length - rejectedRows, rejectedRows };
}

/** The rejected rows as a CSV with the upload's columns plus "error", formulas neutralised. */
export function rejectedRowsCsv(kind: BulkKind, rows: { rowNo: number; values: string[]; error: string | null }[]): string {
  const cols: CsvColumn<{ values: string[]; error: string | null; rowNo: number }>[] = [
    ...HEADERS[kind].map((header, i) => ({ header, value: (r: { values: string[] }) => r.values[i] ?? "" })),
    { header: "error", value: (r) => `Row ${r.rowNo}: ${r.error ?? ""}` },
  ];
  return toSafeCsv(rows, cols);
}
