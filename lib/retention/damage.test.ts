import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_RETENTION_POLICY } from "@/lib/logs/retention";
import { plainLines, referenceNow } from "@/lib/logs/test-helpers";
import { FIXTURE_DIR, tempDir } from "@/lib/sydent/test-fixtures";
import { auditLogFile } from "@/lib/retention/audit-files";
import { auditLogSources } from "@/lib/retention/audit-sources";
import { planEnforcement } from "@/lib/retention/enforce";
import { classifyLogName } from "@/lib/logs/files";

// Bad input: each kind of damage is its own finding, the audit reads every other file, and the
// dry run never plans to delete or rewrite a file that could not be read or dated.

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const real = plainLines(path.join(FIXTURE_DIR, "is1", "sydent.log"));
/** The real lines moved to another day (every line starts with Sydent's "YYYY-MM-DD " asctime or is a continuation). */
const onDay = (day: string) => real.map((l) => l.replace(/^\d{4}-\d{2}-\d{2} /, `${day} `)).join("\n") + "\n";
const logs = path.join(dir, "is1");
fs.mkdirSync(logs);
const put = (name: string, data: string | Buffer) => fs.writeFileSync(path.join(logs, name), data);

put("sydent.log", onDay("2026-11-27"));
const gz = zlib.gzipSync(onDay("2026-03-01"));
put("sydent.log.2026-03-01.gz", gz.subarray(0, Math.floor(gz.length / 2))); // truncated
const corrupt = Buffer.from(zlib.gzipSync(onDay("2026-03-02")));
for (let i = 400; i < 440; i++) corrupt[i] ^= 0xff;
put("sydent.log.2026-03-02.gz", corrupt); // corrupt member
put("sydent.log.2026-03-03", "no timestamp here\njust words\n"); // undatable
put("sydent.log.2027-06-01", onDay("2027-06-01")); // future timestamps
put("sydent.log.2026-03-04.gz", zlib.gzipSync(onDay("2026-03-04"))); // plainly expired: the control

const servers = [
  { label: "is1", sydentLogPaths: [path.join(logs, "sydent.log*")], haproxyLogPaths: [] },
  { label: "gone", sydentLogPaths: [path.join(dir, "vanished-dir", "sydent.log*")], haproxyLogPaths: [] },
];

describe("damaged and odd log files", async () => {
  const sources = await auditLogSources(servers, { now: referenceNow, policyFor: () => DEFAULT_RETENTION_POLICY, hash: true });
  const is1 = sources.find((s) => s.key === "sydent:is1")!;
  const v = (name: string) => is1.files.find((f) => path.basename(f.path) === name)!;

  it("each damage is a specific finding; the other files are still judged", () => {
    expect(v("sydent.log.2026-03-01.gz").verdict).toBe("unreadable");
    expect(v("sydent.log.2026-03-01.gz").problems[0].problem).toBe("truncated");
    expect(v("sydent.log.2026-03-02.gz").verdict).toBe("unreadable");
    expect(v("sydent.log.2026-03-02.gz").problems[0].problem).toBe("corrupt-gzip");
    expect(v("sydent.log.2026-03-03").verdict).toBe("undatable");
    expect(v("sydent.log.2027-06-01").verdict).toBe("future-lines");
    expect(v("sydent.log.2026-03-04.gz").verdict).toBe("expired");
    expect(v("sydent.log").verdict).toBe("within");
    // The truncated file's readable lines are still dated and counted as overdue.
    expect(v("sydent.log.2026-03-01.gz").overdueLines).toBeGreaterThan(0);
  });

  it("a log directory that does not exist is a 'missing' finding", () => {
    const gone = sources.find((s) => s.key === "sydent:gone")!;
    expect(gone.findings.map((f) => f.kind)).toEqual(["missing"]);
  });

  it("the dry run deletes only the dated, whole, expired file", () => {
    const plan = planEnforcement(is1, referenceNow);
    expect(plan.items.map((i) => `${i.action} ${path.basename(i.file)}`)).toEqual(["delete sydent.log.2026-03-04.gz"]);
    expect(plan.skipped.map((s) => path.basename(s.file)).sort()).toEqual(["sydent.log.2026-03-01.gz", "sydent.log.2026-03-02.gz", "sydent.log.2026-03-03", "sydent.log.2027-06-01"]);
  });

  it("a file rotated while it is read is reported, not judged", async () => {
    const big = path.join(logs, "sydent.log.2026-03-05");
    fs.writeFileSync(big, onDay("2026-03-05").repeat(40));
    const file = { path: big, source: "sydent" as const, origin: "is1", pattern: big, ...classifyLogName(path.basename(big)) };
    const pending = auditLogFile(file, DEFAULT_RETENTION_POLICY, referenceNow);
    setImmediate(() => {
      fs.renameSync(big, `${big}.gz-in-progress`);
      fs.writeFileSync(big, "");
    });
    const a = await pending;
    expect(a.verdict).toBe("changed-while-read");
    expect(planEnforcement({ ...is1, files: [a] }, referenceNow).items).toEqual([]);
  });
});
