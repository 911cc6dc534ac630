import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { classifyLogName, findLogFiles, type LogFile } from "@/lib/logs/files";
import { searchLogs } from "@/lib/logs/search";
import { mentions, needlesOf, referenceNow, truthLogs } from "@/lib/logs/test-helpers";
import { FIXTURE_DIR, tempDir } from "@/lib/sydent/test-fixtures";

// Damaged, missing and odd files: searched as far as they go, reported, never a crash. Copies of
// the fixture logs are damaged in a temp dir; expectations come from zlib's sync API on the
// undamaged prefix (finishFlush Z_SYNC_FLUSH decodes as far as the data goes) and a plain split.

const alice = truthLogs.subjects.find((s) => s.key === "alice")!;
const n = needlesOf(alice);
const GZ = path.join(FIXTURE_DIR, "is1/sydent.log.2026-11-19.synthetic-aged.gz");
const PLAIN = path.join(FIXTURE_DIR, "is1/sydent.log");

const fileOf = (p: string, source: "sydent" | "haproxy" = "sydent"): LogFile => ({
  path: p, source, origin: "is1", pattern: p, ...classifyLogName(path.basename(p)),
});

/** Line numbers mentioning alice among the COMPLETE lines of a text (a cut last line excluded). */
function expectedLines(text: Buffer, source: "sydent" | "haproxy" = "sydent"): number[] {
  const lines = text.toString("utf8").split("\n");
  lines.pop(); // the part after the last newline: empty, or a line cut short
  return lines.flatMap((l, i) => (mentions(l, source, n) ? [i + 1] : []));
}

const partialGunzip = (b: Buffer) => zlib.gunzipSync(b, { finishFlush: zlib.constants.Z_SYNC_FLUSH });

async function search(p: string) {
  return searchLogs([fileOf(p)], n, { now: referenceNow });
}

describe("damaged log files", () => {
  const dir = tempDir();
  const gz = fs.readFileSync(GZ);
  const whole = zlib.gunzipSync(gz);

  it("a .gz cut in the middle: the lines before the cut, and a 'truncated' problem", async () => {
    const p = path.join(dir, "sydent.log.2026-11-19.gz");
    const cut = gz.subarray(0, Math.floor(gz.length / 4));
    fs.writeFileSync(p, cut);
    const expected = expectedLines(partialGunzip(cut));
    expect(expected.length).toBeGreaterThan(3);
    const { findings, report } = await search(p);
    expect(report.problems.map((x) => x.problem)).toEqual(["truncated"]);
    const found = findings.map((f) => f.lineNo);
    for (const l of expected) expect(found).toContain(l);
    expect(Math.max(...found)).toBeLessThanOrEqual(expected.at(-1)! + 1);
    expect(expectedLines(whole).length).toBeGreaterThan(expected.length);
  });

  it("a .gz whose second half is garbage: the lines before the damage, and a problem", async () => {
    const p = path.join(dir, "sydent.log.2026-11-18.gz");
    const bad = Buffer.from(gz);
    const from = Math.floor(bad.length / 2);
    for (let i = from; i < bad.length; i++) bad[i] = (i * 7919 + 13) & 0xff;
    fs.writeFileSync(p, bad);
    const expected = expectedLines(partialGunzip(gz.subarray(0, from)));
    const { findings, report } = await search(p);
    expect(report.problems.some((x) => x.problem === "corrupt-gzip" || x.problem === "truncated")).toBe(true);
    const found = findings.map((f) => f.lineNo);
    for (const l of expected) expect(found).toContain(l);
  });

  it("a complete .gz followed by junk: every line (none lost to the error), and 'corrupt-gzip'", async () => {
    const p = path.join(dir, "sydent.log.2026-11-17.gz");
    fs.writeFileSync(p, Buffer.concat([gz, Buffer.from("this is not gzip data\n".repeat(50))]));
    const { findings, report } = await search(p);
    expect(report.problems.map((x) => x.problem)).toEqual(["corrupt-gzip"]);
    expect(findings.map((f) => f.lineNo)).toEqual(expectedLines(whole));
    expect(report.files[0].lines).toBe(whole.toString().split("\n").length - 1);
  });

  it("a plain file whose second half is garbage: the lines of the first half, and 'binary-content'", async () => {
    const p = path.join(dir, "sydent.log.2026-11-16");
    const text = fs.readFileSync(PLAIN);
    const half = text.subarray(0, Math.floor(text.length / 2));
    const junk = Buffer.alloc(half.length);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
    fs.writeFileSync(p, Buffer.concat([half, junk]));
    const { findings, report } = await search(p);
    expect(report.problems.map((x) => x.problem)).toEqual(["binary-content"]);
    const found = findings.map((f) => f.lineNo);
    for (const l of expectedLines(half)) expect(found).toContain(l);
  });

  it("a plain file named .gz: searched as plain text and reported", async () => {
    const p = path.join(dir, "sydent.log.2026-11-15.gz");
    fs.copyFileSync(PLAIN, p);
    const { findings, report } = await search(p);
    expect(report.problems.map((x) => x.problem)).toEqual(["corrupt-gzip"]);
    expect(findings.map((f) => f.lineNo)).toEqual(expectedLines(fs.readFileSync(PLAIN)));
  });

  it("missing files, a directory and a bad pattern: reported, the rest still searched", async () => {
    const sub = path.join(dir, "a-directory");
    fs.mkdirSync(sub, { recursive: true });
    const files = await findLogFiles([
      { label: "is1", sydentLogPaths: [path.join(dir, "gone.log"), path.join(dir, "nothing-*.log"), sub, path.join(dir, "*", "x.log"), PLAIN], haproxyLogPaths: [] },
    ]);
    const sub2 = path.join(dir, "another-directory");
    fs.mkdirSync(sub2, { recursive: true });
    const direct = [fileOf(path.join(dir, "vanished.log")), fileOf(sub2)];
    const { findings, report } = await searchLogs([...files, ...direct], n, { now: referenceNow });
    expect(report.problems.map((x) => x.problem).sort()).toEqual(["bad-pattern", "missing", "missing", "missing", "not-a-file", "not-a-file"]);
    for (const x of report.problems) expect(x.detail).not.toMatch(/alice/i);
    expect(report.filesSearched).toBe(1);
    expect(findings.map((f) => f.lineNo)).toEqual(expectedLines(fs.readFileSync(PLAIN)));
  });

  it("stops when aborted and says so", async () => {
    const ac = new AbortController();
    ac.abort();
    const { report } = await searchLogs([fileOf(PLAIN)], n, { signal: ac.signal });
    expect(report.aborted).toBe(true);
    expect(report.filesSearched).toBe(0);
  });

  it("reports progress at least every MiB within a big file", async () => {
    const p = path.join(dir, "big.log");
    const text = fs.readFileSync(PLAIN);
    const copies = Math.ceil((3.5 * 2 ** 20) / text.length);
    fs.writeFileSync(p, Buffer.concat(Array.from({ length: copies }, () => text)));
    const seen: number[] = [];
    const { findings } = await searchLogs([fileOf(p)], n, { onProgress: (x) => seen.push(x.bytesRead) });
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(seen.at(-1)).toBe(fs.statSync(p).size);
    expect(findings.length).toBe(expectedLines(text).length * copies);
  });
});
