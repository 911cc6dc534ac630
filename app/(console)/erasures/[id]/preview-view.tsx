import type { ErasurePreview } from "@/lib/erasure/workflow-preview";
import { BystanderChoiceForm } from "./erasure-forms";

// The plan of an erasure, server by server and store by store, masked (workflow-preview.ts).

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "unknown");

/** `decideFor`: the job, when the viewer may decide about other people's rows (a second person, before approval). */
export function PreviewView({ p, decideFor }: { p: ErasurePreview; decideFor?: string }) {
  const ids = [...p.identifiers.emails, ...p.identifiers.msisdns, ...p.identifiers.mxids];
  return (
    <section className="card" aria-labelledby="preview-heading">
      <h2 id="preview-heading">What this erasure does</h2>
      {p.nothingHeld ? (
        <p className="banner-ok">Nothing is held about this person on any registered identity server or in any log file. Approving and running it closes the request as &quot;nothing held&quot; with a receipt.</p>
      ) : (
        <p>
          Identifiers found for this person (masked): {ids.length ? ids.map((i) => <span key={i} className="mono">{i} </span>) : <span className="muted">none</span>}.
          {" "}{p.summary.tombstones} tombstone(s), {p.summary.globalRows} lookup row(s), {p.summary.sessions} validation session(s), {p.summary.invitesTo + p.summary.invitesFrom} invite(s), {p.summary.accounts} v2 account(s), {p.summary.embeddingRows} other people&apos;s row(s).
        </p>
      )}
      {p.servers.map((s) => (
        <div key={s.serverName} data-testid={`preview-${s.label}`}>
          <h3>{s.label} <span className="muted mono">({s.serverName})</span></h3>
          {!s.readable && <p className="banner-error">This server could not be read: {s.error}. Its steps will pause the job until it can.</p>}
          {s.stores.length === 0 ? <p className="muted">Nothing held here.</p> : (
            <div className="table-scroll"><table className="data" aria-label={`Plan for ${s.label}`}>
              <thead><tr><th scope="col">Store</th><th scope="col">What happens</th><th scope="col">Rows</th></tr></thead>
              <tbody>
                {s.stores.map((l, i) => (
                  <tr key={i}><td className="mono">{l.store}</td><td>{l.action}{l.note && <div className="badge badge-warn">{l.note}</div>}</td><td>{l.count}</td></tr>
                ))}
              </tbody>
            </table></div>
          )}
          {s.peers.length > 0 && (
            <ul>
              {s.peers.map((x, i) => (
                <li key={i}>
                  <span className="mono">{x.threepid}</span> originated on <span className="mono">{x.originServer}</span>:{" "}
                  {x.registered ? "registered here — its tombstone is written there by this erasure, and replication tells everyone."
                    : <strong>not registered here — its operator must be asked to unbind it (only the origin&apos;s tombstone reaches every peer).</strong>}
                </li>
              ))}
            </ul>
          )}
          {s.tombstonesAwaitingDelivery.length > 0 && (
            <p className="muted">Existing tombstones not yet delivered to: {[...new Set(s.tombstonesAwaitingDelivery.flatMap((t) => t.undeliveredTo))].join(", ")} (kept until they are; phase 2).</p>
          )}
        </div>
      ))}
      {p.owedByUnregisteredPeers.length > 0 && (
        <p className="banner-warn">
          Owed by servers not registered in this console: {p.owedByUnregisteredPeers.map((o) => `${o.threepid} on ${o.peer}`).join("; ")}. Ask their operators to unbind.
        </p>
      )}
      <section aria-labelledby="bystanders-heading" data-testid="preview-bystanders">
        <h3 id="bystanders-heading">Other people: rows that embed this person</h3>
        {p.bystanders.length === 0 ? <p className="muted">No other person&apos;s signed association embeds this person.</p> : (
          <>
            <p>
              Sydent 2.5–2.7 copied this person&apos;s invite data into {p.bystanders.length} other row(s). Those people did nothing: by default they stay bound.
              Each row below is re-issued by Sydent on its origin server without the embedded data, then checked; every action is logged under that person&apos;s own pseudonym and listed on the receipt.
            </p>
            {p.bystanders.some((b) => b.restartFirst) && (
              <p className="banner-warn" role="note">
                Restart Sydent on {[...new Set(p.bystanders.filter((b) => b.restartFirst).map((b) => b.originServer))].join(", ")} before approving:
                its newest signed association embeds someone else&apos;s invites, so the process may still carry leaked data and would copy it into the re-issued associations. The job stops and says so if it does.
              </p>
            )}
            {p.bystanders.some((b) => b.needsInternalApi) && (
              <p className="banner-error" role="note">
                Register the internal API URL of {[...new Set(p.bystanders.filter((b) => b.needsInternalApi).map((b) => b.originServer))].join(", ")}: only Sydent can re-issue an association. Until then the job stops before touching these rows.
              </p>
            )}
            <table className="data" aria-label="Other people's rows embedding this person">
              <thead><tr><th scope="col">Held on</th><th scope="col">Address</th><th scope="col">Matrix ID</th><th scope="col">Origin server</th><th scope="col">What happens</th>{decideFor && <th scope="col">Decision</th>}</tr></thead>
              <tbody>
                {p.bystanders.map((b, i) => (
                  <tr key={i}>
                    <td>{b.server}</td><td className="mono">{b.address} <span className="badge">{b.tag}</span></td><td className="mono">{b.mxid}</td>
                    <td className="mono">{b.originServer}</td><td>{b.action}</td>
                    {decideFor && <td>{b.decidable ? <BystanderChoiceForm jobId={decideFor} serverId={b.serverId} globalId={b.globalId} choice={b.choice} label={`${b.address} ${b.tag}`} /> : <span className="muted">Follows the decision about their copy</span>}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
      <h3>Log files</h3>
      {!p.logs ? <p className="muted">Logs were not searched.</p> : p.logs.files.length === 0 ? <p className="muted">No log file mentions this person.</p> : (
        <>
          <div className="table-scroll"><table className="data" aria-label="Log files that mention the person">
            <thead><tr><th scope="col">File</th><th scope="col">Source</th><th scope="col">Lines</th><th scope="col">Copy disappears</th></tr></thead>
            <tbody>
              {p.logs.files.map((f) => <tr key={f.file}><td className="mono">{f.file.split("/").slice(-2).join("/")}</td><td>{f.source}</td><td>{f.matches}</td><td>{day(f.expiresAt)}</td></tr>)}
            </tbody>
          </table></div>
          <p>The last copy disappears on <strong>{day(p.logs.lastCopyExpiresAt)}</strong> (under the retention policy, or earlier when scrubbing is configured).</p>
        </>
      )}
    </section>
  );
}
