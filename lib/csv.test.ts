import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { csvHeader, csvRows, neutraliseCell, toSafeCsv, type CsvColumn } from "@/lib/csv";

describe("neutraliseCell (OWASP CSV injection)", () => {
  it.each([
    ["=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"],
    ["+1+1", "'+1+1"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tcmd", "'\tcmd"],
    ["\rcmd", "'\rcmd"],
    ["=1+1\nsecond line", "'=1+1\nsecond line"],
    ["plain", "plain"],
    [" =not first", " =not first"],
    ["", ""],
  ])("%j → %j", (input, expected) => {
    expect(neutraliseCell(input)).toBe(expected);
  });

  it("leaves typed numbers and booleans alone, formats dates and nulls", () => {
    expect(neutraliseCell(-5)).toBe("-5");
    expect(neutraliseCell(true)).toBe("true");
    expect(neutraliseCell(null)).toBe("");
    expect(neutraliseCell(undefined)).toBe("");
    expect(neutraliseCell(new Date("2026-01-02T03:04:05.006Z"))).toBe("2026-01-02T03:04:05.006Z");
    expect(neutraliseCell({ a: 1 })).toBe('{"a":1}');
  });
});

describe("toSafeCsv", () => {
  type Row = { n: number; s: string | null };
  const cols: CsvColumn<Row>[] = [
    { header: "Number", value: (r) => r.n },
    { header: "Text", value: (r) => r.s },
  ];

  it("quotes commas, quotes and newlines, neutralises formulas, and round-trips through a parser", () => {
    const rows: Row[] = [
      { n: 1, s: 'say "hi", then leave' },
      { n: -2, s: "=cmd|' /C calc'!A0" },
      { n: 3, s: "line1\r\nline2" },
      { n: 4, s: null },
    ];
    const csv = toSafeCsv(rows, cols);
    expect(csv.endsWith("\r\n")).toBe(true);
    expect(csv.startsWith("Number,Text\r\n")).toBe(true);
    const parsed = Papa.parse<string[]>(csv.trimEnd(), { newline: "\r\n" }).data;
    expect(parsed).toEqual([
      ["Number", "Text"],
      ["1", 'say "hi", then leave'],
      ["-2", "'=cmd|' /C calc'!A0"],
      ["3", "line1\r\nline2"],
      ["4", ""],
    ]);
  });

  it("header and rows concatenate into the same document (streaming)", () => {
    const rows: Row[] = [{ n: 1, s: "a" }, { n: 2, s: "b" }];
    expect(csvHeader(cols) + csvRows(rows.slice(0, 1), cols) + csvRows(rows.slice(1), cols)).toBe(toSafeCsv(rows, cols));
    expect(csvRows([], cols)).toBe("");
  });

  it("neutralises a hostile header too", () => {
    expect(csvHeader([{ header: "=x", value: () => 1 }])).toBe("'=x\r\n");
  });
});
