import Link from "next/link";
import { z } from "zod";
import { recordAccess } from "@/lib/audit/log";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { CATEGORIES, REQUEST_KINDS, type AbuseRow } from "@/lib/abuse/analyse";
import { ABUSE_SORTS, findAbuseRows, rowRef, seriesFor } from "@/lib/abuse/queries";
import { maskEmail, maskPhone } from "@/lib/mask";
import { dateParam, paginationSchema, searchParamsObject, sortSchema, startOfNextUtcDay, startOfUtcDay, textParam } from "@/lib/validation";
import { AbuseFilters, AbuseTable, type AbuseTableRow } from "./abuse-table";
import { RequestChart } from "./request-chart";

export const dynamic = "force-dynamic";
export const metadata = { title: "Abuse" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const searchSchema = paginationSchema.extend(sortSchema(ABUSE_SORTS, "count", "desc").shape).extend({
  category: z.enum(CATEGORIES).optional().catch(undefined),
  kind: textParam(60),
  q: textParam(100),
  from: dateParam,
  to: dateParam,
  chart: z.string().regex(/^[0-9a-f]{24}$/).optional().catch(undefined),
});

const DAY = 86_400_000;
const minute = (d: Date) => d.toISOString().slice(0, 16);

function blockFor(r: AbuseRow): { kind: string; target: string; scope: string } | null {
  const scope = r.kind.startsWith("request_token") || r.kind === "bind" ? "validation" : r.kind.includes("lookup") ? "lookups" : r.kind === "store_invite" ? "invites" : "all";
  if (r.category === "source" || r.category === "network") return { kind: "ip", target: r.key, scope };
  if (r.category === "domain") return { kind: "domain", target: r.key, scope: "validation" };
  if (r.category === "homeserver") return { kind: "homeserver", target: r.key, scope: "invites" };
  if (r.category === "ratelimit" && /^[0-9a-fA-F:.]+$/.test(r.key) && r.key.includes(".")) return { kind: "ip", target: r.key, scope: "validation" };
  if (r.category === "ratelimit" && r.key.startsWith("@")) return { kind: "mxid", target: r.key, scope: "all" };
  return null; // validation targets (3PIDs) are shown masked: block them by typing the address
}

export default async function AbusePage({ searchParams }: { searchParams: SearchParams }) {
  const op = await requireOperator("abuse.view");
  const s = searchSchema.parse(searchParamsObject(await searchParams));
  const now = Date.now();
  const from = s.from ? startOfUtcDay(s.from) : new Date(now - 30 * DAY);
  const to = s.to ? startOfNextUtcDay(s.to) : new Date(now + 60_000);
  const result = await findAbuseRows({ ...s, from, to });
  const chart = s.chart ? seriesFor(result.analysis, s.chart) : null;
  // IP addresses and 3PIDs in logs are personal data: every view of this page is logged.
  await recordAccess({
    actor: actorOf(op), action: "abuse.view", outcome: "ok",
    target: chart ? { type: "ip", value: chart.ip } : undefined,
    details: { from: from.toISOString(), to: to.toISOString(), category: s.category ?? null, kind: s.kind ?? null, count: result.count, chart: !!chart, files: result.analysis.filesRead },
  });
  const canBlock = can(op.role, "blocks.manage");
  const base = new URLSearchParams(Object.entries({ category: s.category, kind: s.kind, from: s.from, to: s.to }).filter(([, v]) => v) as [string, string][]);
  const defaultExpiry = minute(new Date(now + 7 * DAY));
  const rows: AbuseTableRow[] = result.data.map((r) => {
    const ref = rowRef(r);
    const key = r.category === "threepid" ? (r.kind === "email" ? maskEmail(r.key) : maskPhone(r.key)) : r.key;
    const chartParams = new URLSearchParams(base);
    chartParams.set("chart", ref);
    return {
      id: `${r.category}-${r.kind}-${ref}`, category: r.category, kind: r.kind, key, count: r.count,
      lastSeen: new Date(r.lastSeen).toISOString().slice(0, 16).replace("T", " "),
      chartHref: r.category === "source" ? `/abuse?${chartParams}` : null,
      block: canBlock && blockFor(r) ? { ...blockFor(r)!, defaultExpiry } : null,
    };
  });
  return (
    <>
      <h1>Abuse</h1>
      <p className="muted">
        From the registered HAProxy and Sydent logs, {from.toISOString().slice(0, 10)} to {new Date(to.getTime() - 1).toISOString().slice(0, 10)} (UTC):
        {" "}{result.analysis.filesRead} file(s), {result.analysis.linesRead} line(s){result.analysis.problems ? `, ${result.analysis.problems} problem(s) reading them` : ""}.
        Client addresses come from HAProxy (Sydent only sees HAProxy&apos;s). Validation targets are masked.
      </p>
      {chart && (
        <section className="card" aria-labelledby="chart-h">
          <h2 id="chart-h">Requests over time: <span className="mono">{chart.ip}</span></h2>
          <RequestChart label={chart.ip} points={chart.points} />
          <p><Link href={`/abuse?${base}`}>Close the chart</Link></p>
        </section>
      )}
      <AbuseFilters kinds={["any", ...REQUEST_KINDS]} />
      <AbuseTable rows={rows} count={result.count} page={result.page} pageSize={result.pageSize} sort={{ id: s.sort, desc: s.dir === "desc" }} />
    </>
  );
}
