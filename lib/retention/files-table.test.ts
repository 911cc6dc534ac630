import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import type { AttestedFile, SourceView } from "@/lib/retention/queries";
import { activeFileFilters, findRetentionFiles, matchesFile, retentionFileSearchSchema, retentionFilesCsv, sortFiles } from "@/lib/retention/files-table";

// The retention page's files table: filters, order and paging on the server, and its CSV.
// Files are written out by hand, so each expectation can be read off the list below.

const f = (name: string, o: Partial<AttestedFile>): AttestedFile => ({
  file: `/var/log/sydent/${name}`, verdict: "within", rotated: true, gzip: name.endsWith(".gz"), lines: 10, overdueLines: 0,
  oldestLineAt: "2026-10-01T00:00:00.000Z", newestLineAt: "2026-10-01T23:00:00.000Z", mtime: "2026-10-02T00:00:00.000Z",
  mustBeGoneBy: "2026-11-30T23:00:00.000Z", overdueDays: 0, classes: { application: { lines: 10, overdueLines: 0 } }, ...o,
});

const FILES: AttestedFile[] = [
  f("sydent.log", { rotated: false, gzip: false, lines: 50, classes: { application: { lines: 40, overdueLines: 0 }, lookup: { lines: 10, overdueLines: 0 } } }),
  f("sydent.log.2026-11-26", { gzip: false, lines: 30, classes: { application: { lines: 30, overdueLines: 0 } } }),
  f("sydent.log.2026-11-19.gz", { verdict: "straddling", lines: 20, overdueLines: 4, overdueDays: 3, classes: { application: { lines: 16, overdueLines: 0 }, lookup: { lines: 4, overdueLines: 4 } } }),
  f("sydent.log.2026-05-26.gz", { verdict: "expired", lines: 12, overdueLines: 12, overdueDays: 130, oldestLineAt: "2026-05-26T00:00:00.000Z" }),
  f("sydent.log.2026-09-27.gz", { verdict: "expired", lines: 8, overdueLines: 8, overdueDays: 10 }),
  f("sydent.log.2026-01-01.gz", { verdict: "undatable", lines: 3, oldestLineAt: null, newestLineAt: null, mustBeGoneBy: null, classes: {} }),
  f("=SUM(1+1)", { gzip: false, verdict: "within", lines: 1 }),
];
const source: SourceView = { source: "sydent:is1", policyDays: { lookup: 7, haproxy: 60, application: 60, connection: 180 }, classes: {}, files: FILES, findings: [], at: "2026-11-27T12:00:00.000Z", attestationId: "att1", judgedAsOf: "2026-11-27T12:00:00.000Z", overdueNow: true, maxOverdueDaysNow: 130, dueSinceAudit: [] };

const parse = (q: string) => retentionFileSearchSchema.parse(Object.fromEntries(new URLSearchParams(q)));
const names = (list: AttestedFile[]) => list.map((x) => x.file.split("/").pop());

describe("retention files table", () => {
  it("defaults to the most urgent first: expired (most overdue first), straddling, undatable, then within by name", () => {
    const r = findRetentionFiles(source, parse(""));
    expect(r).toMatchObject({ count: 7, total: 7, page: 1, pageSize: 25, classesKnown: true });
    expect(names(r.data)).toEqual([
      "sydent.log.2026-05-26.gz", "sydent.log.2026-09-27.gz", "sydent.log.2026-11-19.gz", "sydent.log.2026-01-01.gz",
      "=SUM(1+1)", "sydent.log", "sydent.log.2026-11-26",
    ]);
  });

  it("filters by verdict, 'overdue', class, compression, current/rotated and name", () => {
    const only = (q: string) => names(FILES.filter((x) => matchesFile(x, parse(q)))).sort();
    expect(only("verdict=expired")).toEqual(["sydent.log.2026-05-26.gz", "sydent.log.2026-09-27.gz"]);
    expect(only("verdict=overdue")).toEqual(["sydent.log.2026-05-26.gz", "sydent.log.2026-09-27.gz", "sydent.log.2026-11-19.gz"]);
    expect(only("verdict=undatable")).toEqual(["sydent.log.2026-01-01.gz"]);
    expect(only("class=lookup")).toEqual(["sydent.log", "sydent.log.2026-11-19.gz"]);
    expect(only("class=haproxy")).toEqual([]);
    expect(only("gzip=no")).toEqual(["=SUM(1+1)", "sydent.log", "sydent.log.2026-11-26"]);
    expect(only("gzip=yes&verdict=within")).toEqual([]);
    expect(only("rotated=current")).toEqual(["sydent.log"]);
    expect(only("q=2026-11")).toEqual(["sydent.log.2026-11-19.gz", "sydent.log.2026-11-26"]);
    expect(only("q=SYDENT.LOG.2026-0")).toEqual(["sydent.log.2026-01-01.gz", "sydent.log.2026-05-26.gz", "sydent.log.2026-09-27.gz"]);
    // Values the schema does not know are ignored rather than failing the page.
    expect(only("verdict=nonsense&class=x&gzip=maybe")).toHaveLength(7);
  });

  it("sorts by each column, missing dates last in both directions, and pages", () => {
    expect(names(sortFiles(FILES, "lines", "desc")).slice(0, 3)).toEqual(["sydent.log", "sydent.log.2026-11-26", "sydent.log.2026-11-19.gz"]);
    expect(names(sortFiles(FILES, "oldest", "asc"))[0]).toBe("sydent.log.2026-05-26.gz");
    expect(names(sortFiles(FILES, "oldest", "asc")).at(-1)).toBe("sydent.log.2026-01-01.gz");
    expect(names(sortFiles(FILES, "oldest", "desc")).at(-1)).toBe("sydent.log.2026-01-01.gz");
    expect(names(sortFiles(FILES, "name", "asc"))).toEqual(names([...FILES].sort((a, b) => (a.file < b.file ? -1 : 1))));
    const p2 = findRetentionFiles(source, parse("sort=lines&dir=asc&pageSize=3&page=2"));
    expect(p2).toMatchObject({ count: 7, page: 2, pageSize: 3 });
    expect(p2.data.map((x) => x.lines)).toEqual([12, 20, 30]); // 1, 3, 8 | 12, 20, 30 | 50
    // Past the end: the last page.
    expect(findRetentionFiles(source, parse("pageSize=3&page=99")).page).toBe(3);
  });

  it("the filters named in URLs and access-log entries are only those set, never paging or sort", () => {
    expect(activeFileFilters(parse("verdict=overdue&q=.gz&page=3&pageSize=10&sort=name&dir=desc&class=bogus"))).toEqual({ verdict: "overdue", q: ".gz" });
  });

  it("an attestation without per-file classes matches no class filter and says so", () => {
    const old = { files: FILES.map(({ classes: _c, ...rest }) => rest as AttestedFile) };
    expect(findRetentionFiles(old, parse("class=application")).count).toBe(0);
    expect(findRetentionFiles(old, parse("")).classesKnown).toBe(false);
  });

  it("exports the whole filtered list in the table's order, formula-safe", () => {
    const { csv, rows } = retentionFilesCsv(source, parse("gzip=no&sort=name&dir=asc&pageSize=1"));
    expect(rows).toBe(3);
    expect(csv.endsWith("\r\n")).toBe(true);
    const table = Papa.parse<string[]>(csv.trimEnd(), { newline: "\r\n" }).data;
    expect(table[0]).toEqual(["source", "file", "path", "verdict", "verdict (text)", "rotated", "gzip", "classes", "lines", "overdue lines", "oldest line (UTC)", "newest line (UTC)", "mtime (UTC)", "gone by (UTC)", "overdue days", "attestation"]);
    expect(table.slice(1).map((r) => r[1])).toEqual(["'=SUM(1+1)", "sydent.log", "sydent.log.2026-11-26"]);
    expect(table[1][2]).toBe("/var/log/sydent/=SUM(1+1)");
    expect(table[2]).toEqual(["sydent:is1", "sydent.log", "/var/log/sydent/sydent.log", "within", "within policy", "no", "no", "lookup application", "50", "0",
      "2026-10-01T00:00:00.000Z", "2026-10-01T23:00:00.000Z", "2026-10-02T00:00:00.000Z", "2026-11-30T23:00:00.000Z", "0", "att1"]);
    // No cell starts with a character a spreadsheet would run as a formula.
    for (const r of table.slice(1)) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});
