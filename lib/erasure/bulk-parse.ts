import { isUtf8 } from "node:buffer";
import { env } from "@/lib/env";
import { otherDelimiter, parseCsvLine, splitLines, type LineEnding } from "@/lib/csv-lines";
import { parseEmail, parseMxid, parsePhone } from "@/lib/subjects/parse";
import { toSafeCsv, type CsvColumn } from "@/lib/csv";

// Reads a bulk-erasure CSV (issue 4 section 7): UTF-8 (a BOM is fine), a header line naming the
// kind - "mxid" for deactivated Matrix IDs, "medium,address" for 3PIDs - and one subject a row.
// A whole-file problem (encoding, header, too many rows) refuses the file and changes nothing;
// a row problem rejects that row only, with a specific message. Messages never repeat the
// input (they are stored, shown and downloaded): they name rows and columns, not identifiers.
// One physical line is one row (lib/csv-lines.ts): a damaged line is rejected on its own and
// never swallows the lines after it, and the totals always add up to the file's lines (issue 8).
// Parsing yields every 2,000 lines, so 100,000 lines do not block the server's event loop.

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
  | {
      ok: true; kind: BulkKind; header: string[]; rows: ParsedRow[]; validRows: number; rejectedRows: number;
      /** Physical lines in the file: 1 (header) + rows.length + blankLinesAtEnd. */
      lines: number; blankLinesAtEnd: number; warnings: string[];
    }
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

const YIELD_EVERY = 2_000;
const ENDING_NAMES: Record<LineEnding, string> = { CRLF: "CRLF (Windows)", LF: "LF (Unix)", CR: "CR (old Mac)" };

/**
 * Parses the whole upload; resolves with per-row results or a whole-file error. Every line of
 * the file is accounted for: lines = 1 (header) + rows.length + blankLinesAtEnd. A line that is
 * not a CSV record (unclosed quote, text after a closing quote, a stray quote, a byte-order mark
 * inside the file, more columns than the header) is a rejected row with a specific message; the
 * file is refused when its header cannot be read (wrong delimiter, damaged header line).
 */
export async function parseBulkCsv(input: Uint8Array | string, opts: ParseBulkOptions = {}): Promise<ParseOutcome> {
  const decoded = decodeUpload(input);
  if (!decoded.ok) return decoded;
  const max = opts.maxRows ?? MAX_DATA_ROWS;
  const defaultCountry = opts.defaultCountry ?? env().CUSTODIAN_DEFAULT_COUNTRY;
  const { lines, endings } = splitLines(decoded.text);
  if (lines.length === 0 || lines.every((l) => l.trim() === "")) {
    return { ok: false, error: `The file is empty: it needs the header ${EXPECTED} and at least one row. Nothing was stored.` };
  }
  const headLine = lines[0];
  const headCells = parseCsvLine(headLine);
  const h = headCells.ok ? headerKind(headCells.cells) : null;
  if (!h) {
    const delimiter = otherDelimiter(headLine, (cells) => headerKind(cells) !== null);
    if (delimiter) return { ok: false, error: `The file is separated by ${delimiter}, not commas: save it as "CSV UTF-8 (comma delimited)" and upload it again. Nothing was stored.` };
    if (!headCells.ok) return { ok: false, error: `The header line cannot be read (${headCells.error}) so the rows cannot be told apart. Nothing was stored.` };
    const n = headCells.cells.length;
    return { ok: false, error: `The first line must be the header ${EXPECTED}; this file's first line (${n} column${n === 1 ? "" : "s"}) is not. Nothing was stored.` };
  }
  const dataLines = lines.length - 1;
  let blankLinesAtEnd = 0;
  while (blankLinesAtEnd < dataLines && lines[lines.length - 1 - blankLinesAtEnd].trim() === "") blankLinesAtEnd++;
  const rowCount = dataLines - blankLinesAtEnd;
  if (rowCount > max) {
    return { ok: false, error: `The file has more than ${max.toLocaleString("en-GB")} data rows. Split it into files of at most ${max.toLocaleString("en-GB")} rows. Nothing was stored.` };
  }
  if (rowCount === 0) return { ok: false, error: "The file has a header but no rows. Nothing was stored." };

  const rows: ParsedRow[] = [];
  const seen = new Map<string, number>();
  // A re-uploaded rejected-rows file carries an "error" column: one extra cell per row is expected.
  const allowed = headCells.ok ? headCells.cells.length : h.columns;
  for (let rowNo = 1; rowNo <= rowCount; rowNo++) {
    if (rowNo % YIELD_EVERY === 0) await new Promise<void>((r) => setImmediate(r));
    const line = lines[rowNo];
    const reject = (error: string, values: string[] = [line]) => rows.push({ rowNo, values: values.slice(0, h.columns), subject: null, error });
    if (line.trim() === "") {
      reject("Empty row.", [""]);
      continue;
    }
    if (line.includes("\uFEFF")) {
      reject("The row holds a byte-order mark (U+FEFF) in the middle of the file: two files were probably joined. Remove it and upload again.");
      continue;
    }
    const parsed = parseCsvLine(line);
    if (!parsed.ok) {
      reject(`Not a CSV row: ${parsed.error}`);
      continue;
    }
    const cells = parsed.cells;
    const extra = cells.slice(allowed).filter((c) => c.trim() !== "");
    if (extra.length > 0) {
      reject(`Expected ${h.columns} column${h.columns === 1 ? "" : "s"} (${HEADERS[h.kind].join(",")}), found ${cells.length}: a row may hold one subject only (a missing line break or a wrong delimiter?).`, cells);
      continue;
    }
    const { subject, error } = checkRow(h.kind, cells, h.columns, defaultCountry);
    let err = error;
    if (subject) {
      const key = `${subject.type}:${subject.value}`;
      const first = seen.get(key);
      if (first !== undefined) err = `Duplicate of row ${first}.`;
      else seen.set(key, rowNo);
    }
    rows.push({ rowNo, values: cells.slice(0, h.columns), subject: err ? null : subject, error: err });
  }
  const rejectedRows = rows.filter((r) => r.error).length;
  const warnings = endings.length > 1 ? [`The file mixes line endings (${endings.map((e) => ENDING_NAMES[e]).join(", ")}); every line was read as one row.`] : [];
  return { ok: true, kind: h.kind, header: HEADERS[h.kind], rows, validRows: rows.length - rejectedRows, rejectedRows, lines: lines.length, blankLinesAtEnd, warnings };
}

/** The rejected rows as a CSV with the upload's columns plus "error", formulas neutralised. */
export function rejectedRowsCsv(kind: BulkKind, rows: { rowNo: number; values: string[]; error: string | null }[]): string {
  const cols: CsvColumn<{ values: string[]; error: string | null; rowNo: number }>[] = [
    ...HEADERS[kind].map((header, i) => ({ header, value: (r: { values: string[] }) => r.values[i] ?? "" })),
    { header: "error", value: (r) => `Row ${r.rowNo}: ${r.error ?? ""}` },
  ];
  return toSafeCsv(rows, cols);
}
