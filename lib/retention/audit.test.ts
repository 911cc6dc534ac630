import path from "node:path";
import { describe, expect, it } from "vitest";
import { fixtureServers, plainLines, referenceNow, truthLogs } from "@/lib/logs/test-helpers";
import { DEFAULT_RETENTION_POLICY } from "@/lib/logs/retention";
import { FIXTURE_DIR } from "@/lib/sydent/test-fixtures";
import { auditLogSources } from "@/lib/retention/audit-sources";

// Every file of the real fixture (and its aged copies, 1 to 200 days back) against the notice's
// default policy, with truth.json's reference_now as "now". Expected verdicts come from
// truth.json's older_than_days and a plain look at the lines (is there a /lookup line?).

const isLookup = (l: string) => / - twisted - .*"(GET|POST) \/_matrix\/identity\/(api\/v1\/(bulk_)?lookup|v2\/lookup)/.test(l) || /lookupservlet|lookupv2servlet/.test(l);

function expectedVerdict(f: (typeof truthLogs.log_files)[number]): string {
  if (f.real) return "within";
  const o = f.older_than_days!;
  if (o["60"]) return "expired";
  if (!o["7"]) return "within";
  if (f.kind === "haproxy") return "within";
  return plainLines(path.join(FIXTURE_DIR, f.path)).some(isLookup) ? "straddling" : "within";
}

describe("retention audit on the real fixture", async () => {
  const sources = await auditLogSources(fixtureServers(), { now: referenceNow, policyFor: () => DEFAULT_RETENTION_POLICY });
  const files = sources.flatMap((s) => s.files);

  it("audits every file of every source exactly once", () => {
    expect(files.map((f) => path.relative(FIXTURE_DIR, f.path)).sort()).toEqual(truthLogs.log_files.map((f) => f.path).sort());
    expect(sources.map((s) => s.key).sort()).toEqual(["haproxy:haproxy", "sydent:is1", "sydent:is2"]);
  });

  for (const t of truthLogs.log_files) {
    it(`${t.path}: ${expectedVerdict(t)}`, () => {
      const a = files.find((f) => path.relative(FIXTURE_DIR, f.path) === t.path)!;
      expect(a.verdict).toBe(expectedVerdict(t));
      expect(a.lines).toBe(t.lines);
      expect(a.newestLineAt?.slice(0, 19)).toBe(t.last_timestamp);
      expect(a.mtime).not.toBeNull();
      expect(a.overdueDays > 0).toBe(a.verdict === "expired" || a.verdict === "straddling");
    });
  }

  it("findings first: overdue sources say by how many days, and rotation keeps too much", () => {
    const is2 = sources.find((s) => s.key === "sydent:is2")!;
    expect(is2.findings[0].kind).toBe("overdue");
    // The 200-day copy: its first line fell due after 7 days (a lookup line).
    expect(is2.maxOverdueDays).toBe(200 - 7);
    expect(is2.findings.some((f) => f.kind === "rotation-keeps-too-much")).toBe(true);
    const hap = sources.find((s) => s.key === "haproxy:haproxy")!;
    expect(hap.maxOverdueDays).toBe(190 - 60);
  });

  it("chart data: line ages per class, with the limit", () => {
    const is1 = sources.find((s) => s.key === "sydent:is1")!;
    expect(is1.classes.lookup!.periodDays).toBe(7);
    expect(Object.keys(is1.classes.lookup!.ageDays).map(Number)).toEqual(expect.arrayContaining([0, 1, 8, 30, 61, 185]));
    expect(is1.classes.application!.overdueLines).toBeGreaterThan(0);
  });
});

describe("fastLineClass agrees with lib/logs/retention.ts's lineClass", async () => {
  const { lineClass, retentionPolicy } = await import("@/lib/logs/retention");
  const { fastLineClass } = await import("@/lib/retention/line-dater");
  const lines = truthLogs.log_files.filter((f) => f.real).flatMap((f) => plainLines(path.join(FIXTURE_DIR, f.path)).map((l) => [f.kind, l] as const));
  for (const [name, policy] of [["defaults", DEFAULT_RETENTION_POLICY], ["connection shortest", retentionPolicy({ connection: 5 })], ["lookup longest", retentionPolicy({ lookup: 90 })]] as const) {
    it(name, () => {
      for (const [kind, l] of lines) expect(fastLineClass(policy, kind, l)).toBe(lineClass(policy, kind, l));
    });
  }
});
