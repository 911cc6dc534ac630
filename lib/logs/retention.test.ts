import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { findLogFiles, type LogFile } from "@/lib/logs/files";
import { plainLines } from "@/lib/logs/test-helpers";
import { searchLogs } from "@/lib/logs/search";
import { DEFAULT_RETENTION_POLICY, lastCopyExpiresAt, lineClass, retentionPolicy } from "@/lib/logs/retention";
import { fixtureServers, needlesOf, referenceNow, truthLogs } from "@/lib/logs/test-helpers";
import { FIXTURE_DIR } from "@/lib/sydent/test-fixtures";

// With now = truth.json's reference_now, which copies are past their period must agree with the
// fixture's own older_than_days flags for the synthetic-aged files: Sydent lookup lines ↔ 7,
// other Sydent lines and HAProxy ↔ 60, and (with the shorter promises lifted) connection IPs ↔ 180.

let files: LogFile[];
beforeAll(async () => {
  files = await findLogFiles(fixtureServers());
});

const aged = truthLogs.log_files.filter((f) => f.older_than_days);
const alice = needlesOf(truthLogs.subjects.find((s) => s.key === "alice")!);

async function reportFor(policy = DEFAULT_RETENTION_POLICY) {
  const { findings, report } = await searchLogs(files, alice, { now: referenceNow, retention: policy });
  const byRel = new Map(report.files.map((f) => [path.relative(FIXTURE_DIR, f.file), f]));
  return { findings, byRel };
}
const overdue = (f: { retention?: { class: string; overdue: boolean }[] }, cls: string) => {
  const e = f.retention?.find((x) => x.class === cls);
  expect(e, cls).toBeDefined();
  return e!.overdue;
};

describe("retention of log copies", () => {
  it("the newest line of each file is truth.json's last_timestamp", async () => {
    const { byRel } = await reportFor();
    for (const t of truthLogs.log_files) expect(byRel.get(t.path)!.newestLineAt!.slice(0, 19)).toBe(t.last_timestamp);
  });

  it("default policy: lookup lines past 7 days, other Sydent lines and HAProxy past 60, as truth.json says", async () => {
    expect(aged.length).toBe(15);
    const { byRel } = await reportFor();
    for (const t of aged) {
      const f = byRel.get(t.path)!;
      if (t.kind === "sydent") {
        expect(overdue(f, "lookup"), `${t.path} lookup`).toBe(t.older_than_days!["7"]);
        expect(overdue(f, "application"), `${t.path} application`).toBe(t.older_than_days!["60"]);
      } else {
        expect(overdue(f, "haproxy"), t.path).toBe(t.older_than_days!["60"]);
      }
      expect(f.overdue).toBe(t.kind === "sydent" ? t.older_than_days!["7"] : t.older_than_days!["60"]);
    }
  });

  it("connection IPs: with the shorter promises lifted to a year, lines holding an IP are due at 180 days", async () => {
    const { byRel } = await reportFor(retentionPolicy({ lookup: 365, haproxy: 365, application: 365 }));
    for (const t of aged) expect(overdue(byRel.get(t.path)!, "connection"), t.path).toBe(t.older_than_days!["180"]);
  });

  it("a finding in a rotated copy expires with its file (newest line + period); in the current file with its own time", async () => {
    const { findings, byRel } = await reportFor();
    for (const x of findings) {
      const f = byRel.get(path.relative(FIXTURE_DIR, x.file))!;
      const days = DEFAULT_RETENTION_POLICY.periodDays[x.retentionClass!];
      const base = f.rotated ? Date.parse(f.newestLineAt!) : Date.parse(x.at!);
      expect(Date.parse(x.expiresAt!)).toBe(base + days * 86_400_000);
      expect(x.overdue).toBe(Date.parse(x.expiresAt!) < referenceNow.getTime());
    }
    const last = lastCopyExpiresAt(findings);
    expect(last).toBe(findings.map((x) => x.expiresAt!).sort().at(-1));
    expect(lastCopyExpiresAt([])).toBeNull();
  });

  it("classifies real lines: v1/v2 lookups and bulk lookups 7 days, other Sydent lines 60, HAProxy 60", () => {
    const is1 = plainLines(path.join(FIXTURE_DIR, "is1/sydent.log"));
    const p = DEFAULT_RETENTION_POLICY;
    const v1 = is1.find((l) => l.includes("GET /_matrix/identity/api/v1/lookup?"))!;
    const bulk = is1.find((l) => l.includes("POST /_matrix/identity/api/v1/bulk_lookup"))!;
    const v2 = is1.find((l) => l.includes("POST /_matrix/identity/v2/lookup "))!;
    const hash = is1.find((l) => l.includes("/v2/hash_details"))!;
    const mail = is1.find((l) => l.includes("Sending mail to"))!;
    for (const l of [v1, bulk, v2]) expect(lineClass(p, "sydent", l)).toBe("lookup");
    for (const l of [hash, mail]) expect(lineClass(p, "sydent", l)).toBe("application");
    const hap = plainLines(path.join(FIXTURE_DIR, "haproxy/haproxy.log")).find((l) => l.includes("/api/v1/lookup?"))!;
    expect(lineClass(p, "haproxy", hap)).toBe("haproxy");
    expect(() => retentionPolicy({ lookup: -1 })).toThrow(RangeError);
  });
});
