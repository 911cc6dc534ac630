import { describe, expect, it } from "vitest";
import { parseBulkCsv } from "@/lib/erasure/bulk-parse";
import { parseCsvLine, splitLines } from "@/lib/csv-lines";

// Issue 8: no silent loss in a bulk-erasure CSV. Each malformed file below is what a spreadsheet,
// a text editor or a hand-written script really produces; for every one, every line of the file
// is accounted for (the header, one result per data line, trailing blank lines), the people on
// intact lines are still read, and every damaged line is rejected with a message naming what is
// wrong with it, never its content.

const A = "alice@example.org";
const B = "bob@example.org";
const C = "carol@example.org";
const D = "dave@example.org";

type Case = { name: string; file: string | Buffer; valid: string[]; rejected: Record<number, RegExp> };

const CASES: Case[] = [
  {
    name: "unterminated quote (papaparse made one row of three)",
    file: `medium,address\nemail,${A}\nemail,"${B}\nemail,${C}\n`,
    valid: [A, C],
    rejected: { 2: /quote that opens column 2 is never closed/ },
  },
  {
    name: "a quoted cell continued on the next line",
    file: `medium,address\nemail,"${A}\n${B}"\nemail,${C}\n`,
    valid: [C],
    rejected: { 1: /never closed/, 2: /holds a quote but does not start with one/ },
  },
  {
    name: "mixed line endings (CRLF, LF and a lone CR)",
    file: `medium,address\r\nemail,${A}\nemail,${B}\r\nemail,${C}\remail,${D}\r\n`,
    valid: [A, B, C, D],
    rejected: {},
  },
  {
    name: "text after a closing quote",
    file: `medium,address\nemail,"${A}"x\nemail,${B}\n`,
    valid: [B],
    rejected: { 1: /text after its closing quote/ },
  },
  {
    name: "a row with extra fields (a missing line break)",
    file: `medium,address\nemail,${A},email,${B}\nemail,${C}\n`,
    valid: [C],
    rejected: { 1: /Expected 2 columns .* found 4: a row may hold one subject only/ },
  },
  {
    name: "a byte-order mark at the start (accepted) and another inside (two files joined)",
    file: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`medium,address\nemail,${A}\n\uFEFFemail,${B}\nemail,${C}\n`)]),
    valid: [A, C],
    rejected: { 2: /byte-order mark \(U\+FEFF\) in the middle of the file/ },
  },
  {
    name: "a semicolon-separated row in a comma file, blank lines inside and at the end",
    file: `medium,address\nemail;${A}\n\nemail,${B}\n\n\n`,
    valid: [B],
    rejected: { 1: /Expected 2 columns/, 2: /Empty row/ },
  },
  {
    name: "quoted cells with doubled quotes are fine; a stray quote is not",
    file: `medium,address\n"email","${A}"\nemail,b"ob@example.org\n"email",${C}\n`,
    valid: [A, C],
    rejected: { 2: /holds a quote but does not start with one/ },
  },
];

describe("malformed bulk CSVs: every line accounted for", () => {
  it.each(CASES)("$name", async ({ file, valid, rejected }) => {
    const r = await parseBulkCsv(file);
    if (!r.ok) throw new Error(r.error);
    const text = (typeof file === "string" ? file : file.toString("utf8")).replace(/^\uFEFF/, "");
    const physical = splitLines(text).lines.length;
    // The totals add up to the lines of the file.
    expect(r.lines).toBe(physical);
    expect(1 + r.rows.length + r.blankLinesAtEnd).toBe(physical);
    expect(r.validRows + r.rejectedRows).toBe(r.rows.length);
    // One result per data line, in order, numbered by line.
    expect(r.rows.map((x) => x.rowNo)).toEqual(Array.from({ length: r.rows.length }, (_, i) => i + 1));
    expect(r.rows.filter((x) => x.subject).map((x) => x.subject!.value)).toEqual(valid);
    const errors = Object.fromEntries(r.rows.filter((x) => x.error).map((x) => [x.rowNo, x.error!]));
    expect(Object.keys(errors).map(Number)).toEqual(Object.keys(rejected).map(Number));
    for (const [n, re] of Object.entries(rejected)) expect(errors[Number(n)]).toMatch(re);
    // Messages never repeat the people's addresses.
    for (const e of Object.values(errors)) for (const who of [A, B, C, D, "b\"ob"]) expect(e).not.toContain(who);
  });

  it("mixed line endings are named in a warning", async () => {
    const r = await parseBulkCsv(CASES[2].file);
    expect(r.ok && r.warnings[0]).toMatch(/mixes line endings \(CRLF \(Windows\), LF \(Unix\), CR \(old Mac\)\)/);
  });

  it("a file whose rows cannot be told apart is refused whole, naming the reason", async () => {
    for (const [file, re] of [
      [`medium;address\nemail;${A}\n`, /separated by semicolons, not commas/],
      [`medium\taddress\nemail\t${A}\n`, /separated by tabs, not commas/],
      [`mxid|x\n`, /first line must be the header/],
      [`"medium,address\nemail,${A}\n`, /header line cannot be read .*never closed/],
    ] as const) {
      const r = await parseBulkCsv(file);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error).toMatch(re);
        expect(r.error).not.toContain(A);
      }
    }
  });

  it("one CSV line: quotes, doubled quotes, empty cells", () => {
    expect(parseCsvLine(`a,"b,c","d""e",,""`)).toEqual({ ok: true, cells: ["a", "b,c", 'd"e', "", ""] });
    expect(parseCsvLine(`"a`)).toMatchObject({ ok: false });
    expect(splitLines("a\r\nb\nc\rd\n")).toEqual({ lines: ["a", "b", "c", "d"], endings: ["CRLF", "LF", "CR"] });
  });
});
