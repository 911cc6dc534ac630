import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { classifyLogName } from "@/lib/logs/files";
import { DEFAULT_RETENTION_POLICY } from "@/lib/logs/retention";
import { plainLines, referenceNow } from "@/lib/logs/test-helpers";
import { FIXTURE_DIR, tempDir } from "@/lib/sydent/test-fixtures";
import { auditLogFile } from "@/lib/retention/audit-files";
import { auditLogSources } from "@/lib/retention/audit-sources";
import { planEnforcement } from "@/lib/retention/enforce";

// The CURRENT log file (the one the writer appends to) on a live server: appending while the
// audit reads it is normal and the lines that were there are judged; a current file replaced or
// truncated under the reader is "changed while read"; a current file that holds lines older than
// its class allows is "rotation misconfigured" and is never touched by enforcement.

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const sydentReal = plainLines(path.join(FIXTURE_DIR, "is1", "sydent.log"));
const haproxyReal = plainLines(path.join(FIXTURE_DIR, "haproxy", "haproxy.log"));
/** The real Sydent lines moved to another day ("YYYY-MM-DD " asctime; continuations follow). */
const sydentOn = (day: string) => sydentReal.map((l) => l.replace(/^\d{4}-\d{2}-\d{2} /, `${day} `)).join("\n") + "\n";
/** The real HAProxy lines moved to another day (syslog's ISO time at the start of each line). */
const haproxyOn = (day: string) => haproxyReal.map((l) => l.replace(/^\d{4}-\d{2}-\d{2}T/, `${day}T`)).join("\n") + "\n";
const fileOf = (p: string, source: "sydent" | "haproxy", origin: string) => ({ path: p, source, origin, pattern: p, ...classifyLogName(path.basename(p)) });
const today = referenceNow.toISOString().slice(0, 10);

describe("the current file while the writer appends", () => {
  it("growth by appending is not 'changed while read': the lines that were there are judged", async () => {
    const p = path.join(dir, "live", "sydent.log");
    fs.mkdirSync(path.dirname(p), { recursive: true });
    const body = sydentOn(today).repeat(20);
    fs.writeFileSync(p, body);
    const pending = auditLogFile(fileOf(p, "sydent", "live"), DEFAULT_RETENTION_POLICY, referenceNow, { hash: true });
    // The writer appends while the audit reads (its first look at the file is already taken).
    fs.appendFileSync(p, sydentOn(today));
    const a = await pending;
    expect(a.rotated).toBe(false);
    expect(a.verdict).toBe("within");
    expect(a.findings.map((f) => f.kind)).not.toContain("changed-while-read");
    expect(a.lines).toBe(body.split("\n").length - 1);
    expect(a.size).toBe(Buffer.byteLength(body));
    expect(fs.statSync(p).size).toBeGreaterThan(a.size!);
  });

  it("a current file truncated under the reader (copytruncate) is 'changed while read'", async () => {
    const p = path.join(dir, "trunc", "sydent.log");
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, sydentOn(today).repeat(20));
    const pending = auditLogFile(fileOf(p, "sydent", "trunc"), DEFAULT_RETENTION_POLICY, referenceNow);
    fs.truncateSync(p, 0);
    expect((await pending).verdict).toBe("changed-while-read");
  });

  it("a current file rotated away under the reader (a new file in its place) is 'changed while read'", async () => {
    const p = path.join(dir, "rot", "sydent.log");
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, sydentOn(today).repeat(20));
    const pending = auditLogFile(fileOf(p, "sydent", "rot"), DEFAULT_RETENTION_POLICY, referenceNow);
    fs.renameSync(p, `${p}.${today}`);
    fs.writeFileSync(p, sydentOn(today));
    expect((await pending).verdict).toBe("changed-while-read");
  });
});

describe("a current file holding old lines: rotation misconfigured", async () => {
  const logs = path.join(dir, "old");
  fs.mkdirSync(path.join(logs, "is9"), { recursive: true });
  fs.mkdirSync(path.join(logs, "haproxy"), { recursive: true });
  // 70 days back: past every class of both sources (lookup 7, application 60, HAProxy 60).
  const old = new Date(referenceNow.getTime() - 70 * 86_400_000).toISOString().slice(0, 10);
  fs.writeFileSync(path.join(logs, "is9", "sydent.log"), sydentOn(old) + sydentOn(today));
  fs.writeFileSync(path.join(logs, "haproxy", "haproxy.log"), haproxyOn(old) + haproxyOn(today));
  const servers = [{ label: "is9", sydentLogPaths: [path.join(logs, "is9", "sydent.log*")], haproxyLogPaths: [path.join(logs, "haproxy", "haproxy.log*")] }];
  const sources = await auditLogSources(servers, { now: referenceNow, policyFor: () => DEFAULT_RETENTION_POLICY, hash: true });

  for (const key of ["sydent:is9", "haproxy:haproxy"]) {
    it(`${key}: the current file is 'current-too-old', the source says so, and enforcement leaves it alone`, () => {
      const s = sources.find((x) => x.key === key)!;
      expect(s.files.length).toBe(1);
      const f = s.files[0];
      expect(f.rotated).toBe(false);
      expect(f.verdict).toBe("current-too-old");
      expect(f.overdueLines).toBeGreaterThan(0);
      expect(f.overdueLines).toBeLessThan(f.lines);
      expect(s.overdue).toBe(true);
      const finding = s.findings.find((x) => x.kind === "current-too-old")!;
      expect(finding.file).toBe(f.path);
      expect(finding.detail).toMatch(/rotation is misconfigured/);
      expect(finding.overdueDays).toBeGreaterThan(0);
      const plan = planEnforcement(s, referenceNow);
      expect(plan.items).toEqual([]);
      expect(plan.skipped.map((x) => x.file)).toEqual([f.path]);
    });
  }
});
