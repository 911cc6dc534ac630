import fs from "node:fs";
import path from "node:path";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { FIXTURE_DIR } from "@/lib/sydent/test-fixtures";
import { MAX_DATA_ROWS, parseBulkCsv, rejectedRowsCsv } from "@/lib/erasure/bulk-parse";

type Subject = { mxid: string; threepids: { medium: string; address: string }[] };
const subjects: Subject[] = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, "truth.json"), "utf8")).subjects;
const mxids = [...new Set(subjects.map((s) => s.mxid).filter(Boolean))];
const emails = subjects.flatMap((s) => s.threepids.filter((t) => t.medium === "email").map((t) => t.address));
const phones = subjects.flatMap((s) => s.threepids.filter((t) => t.medium === "msisdn").map((t) => t.address));

describe("bulk CSV: whole-file problems change nothing", () => {
  it("a wrong header names the expected headers and does not echo the file", async () => {
    const r = await parseBulkCsv(`${mxids[0]}\n${mxids[1]}\n`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toContain('"mxid"');
    expect(r.error).toContain('"medium,address"');
    expect(r.error).not.toContain(mxids[0]);
  });

  it("Latin-1 bytes are refused with the line and byte named", async () => {
    const bytes = Buffer.concat([Buffer.from("medium,address\nemail,ok@example.org\nemail,"), Buffer.from([0x72, 0xe9, 0x6e, 0xe9]), Buffer.from("@example.org\n")]);
    const r = await parseBulkCsv(bytes);
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/not UTF-8: line 3 holds the byte 0xE9/) });
  });

  it("replacement characters (a damaged conversion) are refused", async () => {
    const r = await parseBulkCsv(Buffer.from("mxid\n@r\uFFFDn:example.org\n", "utf8"));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/Line 2 .*U\+FFFD/);
  });

  it("UTF-16 is refused; a UTF-8 BOM is accepted", async () => {
    expect((await parseBulkCsv(Buffer.from("\ufeffmxid\n", "utf16le"))).ok).toBe(false);
    const bom = await parseBulkCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`mxid\n${mxids[0]}\n`)]));
    expect(bom.ok && bom.kind === "mxid" && bom.validRows === 1).toBe(true);
  });

  it(`more than ${MAX_DATA_ROWS.toLocaleString("en")} data rows are refused`, async () => {
    const lines = ["mxid", ...Array.from({ length: MAX_DATA_ROWS + 1 }, (_, i) => `@user${i}:example.org`)];
    const r = await parseBulkCsv(lines.join("\n") + "\n");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/more than 100,000 data rows/);
  });
});

describe("bulk CSV: per-row results", () => {
  it("exactly 100,000 rows are accepted, parsed in chunks", async () => {
    const lines = ["mxid", ...Array.from({ length: MAX_DATA_ROWS }, (_, i) => `@user${i}:example.org`)];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const r = await parseBulkCsv(lines.join("\r\n"));
    clearInterval(timer);
    expect(r.ok && r.rows.length === MAX_DATA_ROWS && r.validRows === MAX_DATA_ROWS).toBe(true);
    expect(ticks).toBeGreaterThan(0); // the event loop ran while parsing
  });

  it("malformed Matrix IDs, duplicates and empty rows get specific errors", async () => {
    const csv = ["mxid", mxids[0], "alice-no-at", "", mxids[1], mxids[0], "@nocolon", ""].join("\n");
    const r = await parseBulkCsv(csv);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.rows.map((x) => [x.rowNo, x.error])).toEqual([
      [1, null],
      [2, expect.stringMatching(/must start with @/)],
      [3, "Empty row."],
      [4, null],
      [5, "Duplicate of row 1."],
      [6, expect.stringMatching(/:server part is missing/)],
    ]);
    expect([r.validRows, r.rejectedRows]).toEqual([2, 4]);
    for (const row of r.rows) expect(row.error ?? "").not.toContain("nocolon");
  });

  it("3PIDs: emails casefolded, phones to E.164 digits, duplicates across spellings", async () => {
    const csv = ["medium,address", `email,${emails[0].toUpperCase()}`, `email,${emails[0]}`, "email,not-an-email", `msisdn,+${phones[0]}`, "msisdn,12ab", "fax,123"].join("\n");
    const r = await parseBulkCsv(csv);
    if (!r.ok) throw new Error(r.error);
    expect(r.kind).toBe("threepid");
    expect(r.rows[0].subject).toEqual({ type: "email", value: emails[0].toLowerCase() });
    expect(r.rows[1].error).toBe("Duplicate of row 1.");
    expect(r.rows[2].error).toMatch(/Not an email address/);
    expect(r.rows[3].subject).toEqual({ type: "msisdn", value: phones[0] });
    expect(r.rows[4].error).toMatch(/Not a phone number/);
    expect(r.rows[5].error).toMatch(/medium column must be "email" or "msisdn"/);
  });

  it("10,000 rows are parsed", async () => {
    const lines = ["mxid", ...Array.from({ length: 10_000 }, (_, i) => `@deactivated${i}:example.org`)];
    const r = await parseBulkCsv(lines.join("\n"));
    expect(r.ok && r.validRows).toBe(10_000);
  });
});

describe("rejected rows round trip", () => {
  it("the download holds the rejected rows with errors; once fixed it uploads cleanly", async () => {
    const csv = ["mxid", mxids[0], "=cmd|' /C calc'!A0", `${mxids[1].slice(1)}`, mxids[0]].join("\n");
    const r = await parseBulkCsv(csv);
    if (!r.ok) throw new Error(r.error);
    const out = rejectedRowsCsv(r.kind, r.rows.filter((x) => x.error));
    const parsed = Papa.parse<string[]>(out.trim(), { header: false }).data;
    expect(parsed[0]).toEqual(["mxid", "error"]);
    expect(parsed.length).toBe(4);
    expect(parsed[1][0].startsWith("'=")).toBe(true); // neutralised formula
    expect(parsed[3][1]).toMatch(/Duplicate of row 1/);
    // Fix: correct the two malformed rows, drop the duplicate, re-upload the same file.
    const fixed = [parsed[0], [mxids[2], parsed[1][1]], [`@${parsed[2][0]}`, parsed[2][1]]];
    const again = await parseBulkCsv(Papa.unparse(fixed));
    if (!again.ok) throw new Error(again.error);
    expect([again.validRows, again.rejectedRows]).toEqual([2, 0]);
    // A neutralised Matrix ID ('@...) downloaded as is is read back as the Matrix ID.
    const neutral = await parseBulkCsv(rejectedRowsCsv("mxid", [{ rowNo: 1, values: [mxids[3]], error: "x" }]));
    expect(neutral.ok && neutral.rows[0].subject).toEqual({ type: "mxid", value: mxids[3] });
  });
});
