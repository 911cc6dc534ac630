// A small inline-SVG bar chart of one source's requests per hour (server-rendered, no library).

export function RequestChart({ label, points }: { label: string; points: [number, number][] }) {
  const W = 640;
  const H = 160;
  const pad = 28;
  if (!points.length) return <p className="muted">No requests from this source in the window.</p>;
  const t0 = points[0][0];
  const t1 = points[points.length - 1][0] + 3_600_000;
  const max = Math.max(...points.map((p) => p[1]));
  const x = (t: number) => pad + ((t - t0) / (t1 - t0)) * (W - 2 * pad);
  const bw = Math.max(2, ((W - 2 * pad) * 3_600_000) / (t1 - t0) - 1);
  const y = (n: number) => H - pad - (n / max) * (H - 2 * pad);
  const fmt = (t: number) => new Date(t).toISOString().slice(0, 13).replace("T", " ") + ":00";
  return (
    <figure>
      <div className="table-scroll"><svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Requests per hour from ${label}: ${points.length} hours with traffic, at most ${max} in one hour, from ${fmt(t0)} to ${fmt(t1 - 3_600_000)} UTC`}>
        <line x1={pad} y1={H - pad} x2={W - pad} y2={H - pad} stroke="currentColor" />
        <line x1={pad} y1={pad} x2={pad} y2={H - pad} stroke="currentColor" />
        {points.map(([t, n]) => (
          <rect key={t} x={x(t)} y={y(n)} width={bw} height={H - pad - y(n)} fill="currentColor" opacity={0.7}>
            <title>{`${fmt(t)} UTC: ${n}`}</title>
          </rect>
        ))}
        <text x={pad} y={pad - 8} fontSize="11" fill="currentColor">{max} / hour</text>
        <text x={pad} y={H - 8} fontSize="11" fill="currentColor">{fmt(t0)}</text>
        <text x={W - pad} y={H - 8} fontSize="11" fill="currentColor" textAnchor="end">{fmt(t1 - 3_600_000)}</text>
      </svg></div>
      <figcaption className="muted">Requests per hour through HAProxy from {label} (UTC).</figcaption>
    </figure>
  );
}
