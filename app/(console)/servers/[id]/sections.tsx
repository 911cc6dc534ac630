import type { DriftItem, KnownDrift } from "@/lib/sydent/drift";
import type { PeerStatus } from "@/lib/sydent/peers";
import { STUCK_AFTER_MS } from "@/lib/sydent/peers";
import type { Timing } from "@/lib/sydent/timing";

// Pieces of the identity-server overview (server components; no personal data).

export function CountsTable({ counts }: { counts: Record<string, number | null> }) {
  return (
    <div className="table-scroll"><table className="data">
      <caption className="sr-only">Rows per Sydent table</caption>
      <thead><tr><th scope="col">Table</th><th scope="col" className="num">Rows</th></tr></thead>
      <tbody>
        {Object.entries(counts).map(([table, n]) => (
          <tr key={table}>
            <td className="mono">{table}</td>
            <td className="num">{n === null ? <span className="badge badge-bad">missing</span> : n.toLocaleString("en-GB")}</td>
          </tr>
        ))}
      </tbody>
    </table></div>
  );
}

export function DriftList({ drift, known, userVersion }: { drift: DriftItem[]; known: KnownDrift[]; userVersion: number }) {
  if (drift.length === 0) {
    return <p><span className="badge badge-ok">No drift</span> Tables, columns and indexes match Sydent 2.7.0 (user_version {userVersion}).</p>;
  }
  return (
    <>
      {known.map((k) => (
        <div key={k.id} className="banner-warn" role="status">
          <strong>{k.title}.</strong> {k.explanation}
        </div>
      ))}
      <ul>
        {drift.map((d, i) => (
          <li key={i}><span className="badge badge-warn">{d.kind.replace(/_/g, " ")}</span> {d.message}</li>
        ))}
      </ul>
    </>
  );
}

function PeerBadge({ p }: { p: PeerStatus }) {
  if (!p.active) return <span className="badge">Inactive</span>;
  if (p.stuck) return <span className="badge badge-bad">Stuck</span>;
  if (p.backlog > 0) return <span className="badge badge-warn">Catching up</span>;
  return <span className="badge badge-ok">Up to date</span>;
}

export function PeersTable({ peers }: { peers: PeerStatus[] }) {
  if (peers.length === 0) return <p className="muted">No replication peers: this server replicates to nobody.</p>;
  return (
    <div className="table-scroll"><table className="data">
      <caption className="sr-only">
        Replication peers. A peer is stuck when it is behind and its last successful push is more than {STUCK_AFTER_MS / 60_000} minutes old (or never happened).
      </caption>
      <thead>
        <tr>
          <th scope="col">Peer</th><th scope="col">Status</th><th scope="col" className="num">Last sent id</th>
          <th scope="col" className="num">Newest local id</th><th scope="col" className="num">Backlog (ids)</th>
          <th scope="col" className="num">Rows to push</th><th scope="col">Last successful push (UTC)</th><th scope="col">Signing key</th>
        </tr>
      </thead>
      <tbody>
        {peers.map((p) => (
          <tr key={p.name}>
            <td className="mono">{p.stuck ? <strong>{p.name}</strong> : p.name}</td>
            <td><PeerBadge p={p} /></td>
            <td className="num">{p.lastSentVersion ?? "never"}</td>
            <td className="num">{p.newestLocalId}</td>
            <td className="num">{p.backlog}</td>
            <td className="num">{p.pendingRows}</td>
            <td>{p.lastPokeSucceededAt ? <time dateTime={p.lastPokeSucceededAt}>{p.lastPokeSucceededAt.replace("T", " ").replace(/\.\d+Z$/, "")}</time> : "never"}</td>
            <td>{p.hasPublicKey ? "present" : <span className="badge badge-bad">missing</span>}</td>
          </tr>
        ))}
      </tbody>
    </table></div>
  );
}

export function OriginTable({ byOrigin, serverName }: { byOrigin: Record<string, number>; serverName: string }) {
  const rows = Object.entries(byOrigin);
  if (rows.length === 0) return <p className="muted">No rows in global_threepid_associations.</p>;
  return (
    <div className="table-scroll"><table className="data">
      <caption className="sr-only">Lookup rows by the server that validated them</caption>
      <thead><tr><th scope="col">originServer</th><th scope="col" className="num">Rows</th></tr></thead>
      <tbody>
        {rows.map(([origin, n]) => (
          <tr key={origin}><td className="mono">{origin}{origin === serverName && <span className="muted"> (this server)</span>}</td><td className="num">{n}</td></tr>
        ))}
      </tbody>
    </table></div>
  );
}

export function Timings({ timings }: { timings: Timing[] }) {
  const total = timings.reduce((s, t) => s + t.ms, 0);
  const worst = timings.reduce((m, t) => (t.ms > m.ms ? t : m), { label: "-", ms: 0 });
  return (
    <details>
      <summary>{timings.length} statements, {total.toFixed(1)} ms in all; slowest: {worst.label} ({worst.ms} ms)</summary>
      <div className="table-scroll"><table className="data">
        <thead><tr><th scope="col">Statement</th><th scope="col" className="num">ms</th></tr></thead>
        <tbody>{timings.map((t, i) => <tr key={i}><td>{t.label}</td><td className="num">{t.ms}</td></tr>)}</tbody>
      </table></div>
    </details>
  );
}
