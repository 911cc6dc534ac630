import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_RETENTION_POLICY } from "@/lib/logs/retention";
import { plainLines, referenceNow } from "@/lib/logs/test-helpers";
import { FIXTURE_DIR, tempDir } from "@/lib/sydent/test-fixtures";
import { ageChartData } from "@/lib/retention/age-chart-data";
import { auditLogSources } from "@/lib/retention/audit-sources";

// The age chart on /retention/<source> must say what the findings say: a class whose lines are
// overdue by less than a day (7.5 days old in the 7-day lookup class: its bar is "7") is marked
// overdue and its bar is red; a class whose oldest lines are just inside the limit is not.

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const HOUR = 3_600_000;
const real = plainLines(path.join(FIXTURE_DIR, "is1", "sydent.log"));
/** The real lines, every record re-stamped at `at` (Sydent's "YYYY-MM-DD HH:MM:SS,mmm" asctime). */
function stampedAt(at: Date) {
  const t = at.toISOString();
  return real.map((l) => l.replace(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}/, `${t.slice(0, 10)} ${t.slice(11, 19)},${t.slice(20, 23)}`)).join("\n") + "\n";
}

describe("age chart data follows the findings' rule", async () => {
  const logs = path.join(dir, "is1");
  fs.mkdirSync(logs, { recursive: true });
  // A rotated file 7 days 12 hours old: its lookup lines are overdue by half a day.
  fs.writeFileSync(path.join(logs, "sydent.log.1"), stampedAt(new Date(referenceNow.getTime() - (7 * 24 + 12) * HOUR)));
  // The current file, an hour old: within every limit.
  fs.writeFileSync(path.join(logs, "sydent.log"), stampedAt(new Date(referenceNow.getTime() - HOUR)));
  const [s] = await auditLogSources([{ label: "is1", sydentLogPaths: [path.join(logs, "sydent.log*")], haproxyLogPaths: [] }], { now: referenceNow, policyFor: () => DEFAULT_RETENTION_POLICY });

  it("lookup lines overdue by less than a day: the findings say overdue, and so does the chart", () => {
    expect(s.findings[0].kind).toBe("overdue");
    const lookup = s.classes.lookup!;
    expect(lookup.overdueLines).toBeGreaterThan(0);
    const d = ageChartData("lookup", lookup);
    expect(d.oldestDays).toBe(7);
    expect(d.periodDays).toBe(7);
    expect(d.overdue).toBe(true);
    expect(d.summary).toMatch(/line\(s\) past the limit/);
    expect(d.bars.find((b) => b.ageDays === 7)).toMatchObject({ pastLimit: true, lines: lookup.overdueLines });
    expect(d.bars.find((b) => b.ageDays === 0)).toMatchObject({ pastLimit: false });
  });

  it("application lines 7.5 days old in a 60-day class: within, nothing red", () => {
    const d = ageChartData("application", s.classes.application!);
    expect(s.classes.application!.overdueLines).toBe(0);
    expect(d.overdue).toBe(false);
    expect(d.bars.every((b) => !b.pastLimit)).toBe(true);
    expect(d.summary).toMatch(/all within the limit/);
  });
});
