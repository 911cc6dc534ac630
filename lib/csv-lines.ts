// Reads CSV files whose cells never legitimately span lines (identifiers, one per row): one
// physical line is one record, so a damaged line can never swallow the lines after it (an
// unterminated quote in a whole-text parser turns the rest of the file into one cell). Every
// line is accounted for: the caller gets each line's cells or a specific error naming the
// column, never the cell's content (messages are stored, shown and downloaded).
// RFC 4180 within a line: cells separated by commas; a cell that starts with a double quote
// ends at the next lone double quote; "" inside it is one double quote.

export type LineCells = { ok: true; cells: string[] } | { ok: false; error: string };
export type LineEnding = "CRLF" | "LF" | "CR";

/** The file's physical lines (a final line break does not start another line) and the kinds of line ending seen. */
export function splitLines(text: string): { lines: string[]; endings: LineEnding[] } {
  const endings = new Set<LineEnding>();
  for (const m of text.matchAll(/\r\n|\r|\n/g)) endings.add(m[0] === "\r\n" ? "CRLF" : m[0] === "\r" ? "CR" : "LF");
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return { lines, endings: [...endings] };
}

/** One line's cells, or why it is not a CSV record. */
export function parseCsvLine(line: string, delimiter = ","): LineCells {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    const col = cells.length + 1;
    if (line[i] === '"') {
      let cell = "";
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return { ok: false, error: `The quote that opens column ${col} is never closed on this line (a row may not continue on the next line).` };
        cell += line.slice(j, q);
        if (line[q + 1] === '"') {
          cell += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      cells.push(cell);
      if (i === line.length) return { ok: true, cells };
      if (line[i] !== delimiter) return { ok: false, error: `Column ${col} has text after its closing quote (a quote inside a cell must be doubled, "").` };
      i++;
      continue;
    }
    const next = line.indexOf(delimiter, i);
    const cell = next < 0 ? line.slice(i) : line.slice(i, next);
    if (cell.includes('"')) return { ok: false, error: `Column ${col} holds a quote but does not start with one (quote the whole cell and double the quote inside it).` };
    cells.push(cell);
    if (next < 0) return { ok: true, cells };
    i = next + 1;
  }
}

const OTHER_DELIMITERS: { char: string; name: string }[] = [
  { char: ";", name: "semicolons" },
  { char: "\t", name: "tabs" },
  { char: "|", name: "vertical bars" },
];

/** When a header line reads as `expected` only with another delimiter, that delimiter's name. */
export function otherDelimiter(line: string, matches: (cells: string[]) => boolean): string | null {
  for (const d of OTHER_DELIMITERS) {
    if (!line.includes(d.char)) continue;
    const r = parseCsvLine(line, d.char);
    if (r.ok && matches(r.cells)) return d.name;
  }
  return null;
}
