import { ageChartData } from "@/lib/retention/age-chart-data";
import type { AttestedClass } from "@/lib/retention/queries";

// Line ages per retention class against the class's limit, as an inline SVG: one bar per day of
// age (height ~ square root of the line count, so a busy day does not hide a quiet one), bars past
// the limit in red, the limit as a dashed line. A text summary says the same for screen readers.
// What is red and whether the class is overdue: lib/retention/age-chart-data.ts (the findings' rule).

const W = 640;
const H = 120;
const PAD = 28;

export function AgeChart({ name, c }: { name: string; c: AttestedClass }) {
  const data = ageChartData(name, c);
  const ages = data.bars.map((b) => [b.ageDays, b.lines] as const);
  const maxAge = Math.max(c.periodDays, ...ages.map(([d]) => d)) * 1.08 + 1;
  const maxN = Math.max(1, ...ages.map(([, n]) => n));
  const x = (d: number) => PAD + ((W - 2 * PAD) * d) / maxAge;
  const h = (n: number) => ((H - 2 * PAD) * Math.sqrt(n)) / Math.sqrt(maxN);
  const over = data.overdue;
  const summary = data.summary;
  const ticks = [0, c.periodDays, Math.round(maxAge - 1)].filter((v, i, a) => a.indexOf(v) === i);
  return (
    <figure className="card" data-testid={`age-chart-${name}`} data-overdue={over ? "true" : "false"}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={summary} style={{ maxWidth: W }}>
        <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} stroke="#8a94a3" />
        {data.bars.map((b) => (
          <rect key={b.ageDays} x={x(b.ageDays)} y={H - PAD - h(b.lines)} width={Math.max(2, x(b.ageDays + 1) - x(b.ageDays) - 1)} height={h(b.lines)} fill={b.pastLimit ? "#b42318" : "#1f6f43"} />
        ))}
        <line x1={x(c.periodDays)} y1={PAD / 2} x2={x(c.periodDays)} y2={H - PAD} stroke="#14213d" strokeDasharray="4 3" />
        <text x={x(c.periodDays) + 4} y={PAD / 2 + 10} fontSize="11">limit {c.periodDays} d</text>
        {ticks.map((t) => <text key={t} x={x(t)} y={H - PAD + 14} fontSize="10" textAnchor="middle">{t}</text>)}
        <text x={W - PAD} y={H - 4} fontSize="10" textAnchor="end">age in days</text>
      </svg>
      <figcaption>
        <strong>{name}</strong> — {summary.slice(name.length + 2)}
        {over && <span className="badge badge-bad" style={{ marginLeft: ".5rem" }}>overdue</span>}
      </figcaption>
    </figure>
  );
}
