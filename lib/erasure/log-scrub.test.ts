import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_DIR } from "@/lib/sydent/test-fixtures";
import { scrubLogFiles } from "@/lib/erasure/log-scrub";

// Scrubbing on COPIES of the fixture's logs (the originals are read-only). Expectations are checked
// independently of the matcher: a removed line must name the subject (in clear or percent-encoded,
// casefolded), a kept line must not, kept lines are byte-identical and in order.

type Subject = { key: string; mxid: string | null; threepids: { medium: string; address: string }[] };
type LogMeta = { path: string; gzip: boolean; lines: number; real: boolean };
const truth = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, "truth.json"), "utf8")) as { subjects: Subject[]; log_files: LogMeta[] };
const alice = truth.subjects.find((s) => s.key === "alice")!;
const needles = {
  emails: alice.threepids.filter((t) => t.medium === "email").map((t) => t.address),
  msisdns: alice.threepids.filter((t) => t.medium === "msisdn").map((t) => t.address),
  mxids: alice.mxid ? [alice.mxid] : [],
  sids: [],
};

let dir: string;
const copyOf = (rel: string) => path.join(dir, rel);
const read = (p: string) => (p.endsWith(".gz") ? zlib.gunzipSync(fs.readFileSync(p)) : fs.readFileSync(p));
const lines = (b: Buffer) => b.toString("latin1").split("\n");

function decodeAll(line: string): string {
  try {
    return decodeURIComponent(line.replace(/%(?![0-9A-Fa-f]{2})/g, "%25"));
  } catch {
    return line;
  }
}
function namesAlice(latin1Line: string): boolean {
  const l = decodeAll(Buffer.from(latin1Line, "latin1").toString("utf8")).toLowerCase();
  return needles.emails.some((e) => l.includes(e.toLowerCase())) || needles.mxids.some((m) => l.includes(m.toLowerCase())) ||
    needles.msisdns.some((m) => new RegExp(`(^|[^0-9A-Za-z])\\+?${m}(?![0-9A-Za-z])`).test(l));
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-scrub-"));
  for (const f of truth.log_files) {
    fs.mkdirSync(path.dirname(copyOf(f.path)), { recursive: true });
    fs.copyFileSync(path.join(FIXTURE_DIR, f.path), copyOf(f.path));
    const st = fs.statSync(path.join(FIXTURE_DIR, f.path));
    fs.utimesSync(copyOf(f.path), st.atime, st.mtime);
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("scrubLogFiles on copies of the fixture logs", () => {
  it("removes the subject's lines from rotated plain and gzipped files, keeps every other line byte-identical", async () => {
    const rotated = truth.log_files.filter((f) => !f.real);
    const before = new Map(rotated.map((f) => [f.path, { data: read(copyOf(f.path)), st: fs.statSync(copyOf(f.path)) }]));
    const current = truth.log_files.filter((f) => f.real).map((f) => ({ path: f.path, data: fs.readFileSync(copyOf(f.path)) }));
    const res = await scrubLogFiles(truth.log_files.map((f) => copyOf(f.path)), needles);
    expect(res.filesWithProblems).toBe(0);
    let removedTotal = 0;
    for (const f of rotated) {
      const old = lines(before.get(f.path)!.data);
      const now = lines(read(copyOf(f.path))); // gunzip succeeds: still a valid gzip
      const expected = old.filter((l) => !namesAlice(l));
      expect(now, f.path).toEqual(expected);
      removedTotal += old.length - now.length;
      expect(fs.statSync(copyOf(f.path)).mtimeMs, `${f.path} mtime`).toBe(before.get(f.path)!.st.mtimeMs);
      expect(fs.statSync(copyOf(f.path)).mode).toBe(before.get(f.path)!.st.mode);
    }
    expect(removedTotal).toBeGreaterThan(0);
    expect(res.linesRemoved).toBe(removedTotal);
    // Current files (a live writer appends to them) are left in place, reported with an expiry.
    for (const c of current) expect(fs.readFileSync(copyOf(c.path)).equals(c.data)).toBe(true);
    const left = res.files.filter((r) => r.status === "current-left");
    expect(left.length).toBeGreaterThan(0);
    expect(res.currentLinesLeft).toBe(current.reduce((n, c) => n + lines(c.data).filter(namesAlice).length, 0));
    expect(res.lastCurrentCopyExpiresAt).toMatch(/^2026-|^2027-/);
    // Idempotent: a second run finds nothing more in the rotated files.
    const again = await scrubLogFiles(rotated.map((f) => copyOf(f.path)), needles);
    expect(again.linesRemoved).toBe(0);
  });

  it("with includeCurrent the current file is scrubbed too", async () => {
    const cur = copyOf(truth.log_files.find((f) => f.real && f.path.startsWith("is1"))!.path);
    const old = lines(fs.readFileSync(cur));
    const res = await scrubLogFiles([cur], needles, { includeCurrent: true });
    expect(res.files[0].status).toBe("scrubbed");
    expect(lines(fs.readFileSync(cur))).toEqual(old.filter((l) => !namesAlice(l)));
  });

  it("a truncated .gz is reported and left untouched", async () => {
    const gz = truth.log_files.find((f) => f.gzip)!;
    const full = fs.readFileSync(path.join(FIXTURE_DIR, gz.path));
    const p = path.join(dir, "sydent.log.2026-01-01.gz");
    fs.writeFileSync(p, full.subarray(0, Math.floor(full.length / 2)));
    const bytes = fs.readFileSync(p);
    const res = await scrubLogFiles([p], needles);
    expect(res.files[0]).toMatchObject({ status: "problem", linesRemoved: 0, problem: expect.stringMatching(/corrupt or truncated gzip/) });
    expect(res.filesWithProblems).toBe(1);
    expect(fs.readFileSync(p).equals(bytes)).toBe(true);
    expect(fs.readdirSync(dir).filter((n) => n.includes(".scrub-"))).toEqual([]);
  });
});
