import Link from "next/link";
import { notFound } from "next/navigation";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { ERROR_TITLES } from "@/lib/sydent/errors";
import { viewServerOverview } from "@/lib/servers/overview";
import { HealthBadge } from "../health-badge";
import { CountsTable, DriftList, OriginTable, PeersTable, Timings } from "./sections";

export const dynamic = "force-dynamic";
export const metadata = { title: "Identity-server overview" };

export default async function ServerOverviewPage({ params }: { params: Promise<{ id: string }> }) {
  const op = await requireOperator("servers.view");
  const { id } = await params;
  const view = await viewServerOverview(actorOf(op), id);
  if (!view) notFound();
  const { server, overview: o } = view;
  return (
    <>
      <p><Link href="/servers">All identity servers</Link></p>
      <h1>{server.label} <span className="muted mono">{server.serverName}</span> <HealthBadge health={view.health} /></h1>
      <p className="muted">Database: <span className="mono">{server.dbPath}</span></p>
      {!o && <div className="banner-warn" role="status">This server is disabled; its database is not read.</div>}
      {o && !o.ok && (
        <div className="banner-error" role="alert">
          <strong>{ERROR_TITLES[o.error.kind]}.</strong> {o.error.message} The rest of the console keeps working; fix the file or the
          registered path and reload this page.
        </div>
      )}
      {o?.ok && (
        <>
          {o.warnings.map((w) => <div key={w} className="banner-warn" role="status">{w}</div>)}
          <div className="grid">
            <div className="stat"><div className="value">{o.newestLocalId}</div><div className="label">Newest local association id</div></div>
            <div className="stat"><div className="value">{o.tombstones}</div><div className="label">Unbind tombstones (addresses kept)</div></div>
            <div className={`stat${o.sgAssocWithInvites ? " badge-warn" : ""}`}>
              <div className="value">{o.sgAssocWithInvites ?? "-"}</div>
              <div className="label">Lookup rows embedding invites (Sydent 2.5-2.7 leak)</div>
            </div>
            <div className="stat"><div className="value">{o.pepperPresent ? "present" : "missing"}</div><div className="label">Lookup pepper</div></div>
          </div>
          <h2>Replication peers</h2>
          <PeersTable peers={o.peers} />
          <h2>Schema</h2>
          <DriftList drift={o.inspection.drift} known={o.inspection.knownDrift} userVersion={o.inspection.userVersion} />
          <h2>Rows per table</h2>
          <CountsTable counts={o.counts} />
          <h2>Lookup rows by origin</h2>
          <OriginTable byOrigin={o.globalByOrigin} serverName={server.serverName} />
          <h2>Query timings</h2>
          <Timings timings={o.timings} />
        </>
      )}
    </>
  );
}
