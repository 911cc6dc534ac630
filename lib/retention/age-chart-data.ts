import type { ClassChart } from "@/lib/retention/audit-sources";

// What the age chart on /retention/<source> draws for one class, decided by the same rule as the
// audit's findings: a line is overdue when its own time + the class's period is past. Ages are
// counted in whole days rounded down, so the bar for age `d` holds lines between d and d+1 days
// old: every bar from d = period on holds lines past the limit (a line exactly `period` days old
// is the only one that is not, and the audit counts it within). The class is overdue when the
// audit counted an overdue line, never from the rounded ages (a line 7.4 days old in a 7-day
// class is overdue although its bar says "7").

export type AgeBar = { ageDays: number; lines: number; pastLimit: boolean };
export type AgeChartData = { bars: AgeBar[]; oldestDays: number; periodDays: number; lines: number; overdueLines: number; overdue: boolean; summary: string };

export function ageChartData(name: string, c: Pick<ClassChart, "periodDays" | "lines" | "overdueLines"> & { ageDays: Record<string | number, number> }): AgeChartData {
  const bars = Object.entries(c.ageDays)
    .map(([d, n]) => ({ ageDays: Number(d), lines: n, pastLimit: Number(d) >= c.periodDays }))
    .sort((a, b) => a.ageDays - b.ageDays);
  const oldestDays = bars.length ? bars[bars.length - 1].ageDays : 0;
  const overdue = c.overdueLines > 0;
  const summary = `${name}: ${c.lines} line(s), oldest ${oldestDays} day(s) old, limit ${c.periodDays} day(s)${overdue ? `, ${c.overdueLines} line(s) past the limit` : ", all within the limit"}.`;
  return { bars, oldestDays, periodDays: c.periodDays, lines: c.lines, overdueLines: c.overdueLines, overdue, summary };
}
