import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { findLogFiles, type LogFile } from "@/lib/logs/files";
import { searchLogs } from "@/lib/logs/search";
import { fixtureServers, mentions, needlesOf, plainLines, referenceNow, truthLogs } from "@/lib/logs/test-helpers";
import { FIXTURE_DIR } from "@/lib/sydent/test-fixtures";

// Every line of every fixture log file (real, rotated plain and rotated gzipped) that mentions a
// subject -- address in any spelling seen, URL-encoded, MSISDN, Matrix ID, session id -- is found
// at the right file and line number. The expectation is a plain in-memory scan per file.

let files: LogFile[];
beforeAll(async () => {
  files = await findLogFiles(fixtureServers());
});

const subjects = truthLogs.subjects.filter((s) => s.mxid || s.threepids.length);

describe("searchLogs on the real fixture logs", () => {
  it("finds every file truth.json lists, classified like truth.json", () => {
    const byPath = new Map(files.map((f) => [path.relative(FIXTURE_DIR, f.path), f]));
    for (const t of truthLogs.log_files) {
      const f = byPath.get(t.path);
      expect(f, t.path).toBeDefined();
      expect(f!.gzip).toBe(t.gzip);
      expect(f!.rotated).toBe(!t.real);
      expect(f!.source).toBe(t.kind);
      expect(f!.origin).toBe(t.kind === "haproxy" ? "haproxy" : t.instance);
    }
    expect(files.length).toBe(truthLogs.log_files.length);
  });

  it.each(subjects.map((s) => [s.key, s] as const))("%s: exactly the lines that mention them", async (_k, s) => {
    const n = needlesOf(s);
    const { findings, report } = await searchLogs(files, n, { now: referenceNow });
    expect(report.problems).toEqual([]);
    expect(report.filesSearched).toBe(truthLogs.log_files.length);
    const expected: string[] = [];
    for (const f of files) {
      plainLines(f.path).forEach((line, i) => {
        if (mentions(line, f.source, n)) expected.push(`${f.path}:${i + 1}`);
      });
    }
    expect(findings.map((x) => `${x.file}:${x.lineNo}`).sort()).toEqual(expected.sort());
    for (const x of findings) {
      expect(plainLines(x.file)[x.lineNo - 1]).toBe(x.line);
      const lower = x.line.toLowerCase();
      const encodedOnly = n.emails.some((e) => lower.includes(encodeURIComponent(e).toLowerCase()) && encodeURIComponent(e) !== e)
        && !n.emails.some((e) => lower.includes(e.toLowerCase()));
      if (encodedOnly) expect(x.matched).toContain("email-urlencoded");
    }
  });

  it("searches plain and gzipped rotations alike (same lines as the file they were derived from)", async () => {
    const alice = subjects.find((s) => s.key === "alice")!;
    const { findings } = await searchLogs(files, needlesOf(alice), { now: referenceNow });
    const linesOf = (rel: string) => findings.filter((x) => x.file === path.join(FIXTURE_DIR, rel)).map((x) => x.lineNo);
    const real = linesOf("is1/sydent.log");
    expect(real.length).toBeGreaterThan(0);
    expect(linesOf("is1/sydent.log.2026-11-26.synthetic-aged")).toEqual(real);
    expect(linesOf("is1/sydent.log.2026-05-26.synthetic-aged.gz")).toEqual(real);
    expect(linesOf("haproxy/haproxy.log.62.synthetic-aged.gz")).toEqual(linesOf("haproxy/haproxy.log"));
    const kinds = new Set(findings.flatMap((x) => x.matched));
    for (const k of ["email", "email-urlencoded", "msisdn", "mxid", "sid"]) expect(kinds).toContain(k);
  });

  it("reports progress per file and totals that add up", async () => {
    const seen: { filesDone: number; bytesRead: number; bytesTotal: number }[] = [];
    const { report } = await searchLogs(files, needlesOf(subjects[0]), { now: referenceNow, onProgress: (p) => seen.push(p) });
    const total = files.reduce((a, f) => a + fs.statSync(f.path).size, 0);
    expect(seen.length).toBeGreaterThanOrEqual(files.length * 2);
    expect(seen.at(-1)).toMatchObject({ filesDone: files.length, bytesRead: total, bytesTotal: total });
    expect(report.linesScanned).toBe(truthLogs.log_files.reduce((a, t) => a + t.lines, 0));
  });

  it("reads nothing when there is nothing to look for", async () => {
    const { findings, report } = await searchLogs(files, { emails: [], msisdns: [], mxids: [], sids: [] });
    expect(findings).toEqual([]);
    expect(report.filesSearched).toBe(0);
  });
});
