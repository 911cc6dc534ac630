import type { SubjectView } from "@/lib/subjects/present";
import { REQUEST_TYPE_LABELS, type RequestType } from "@/lib/requests/catalogue";
import { STATE_LABELS, type RequestState } from "@/lib/requests/states";
import type { ServerView } from "@/lib/subjects/present-parts";

// Renders a subject view model (masked or revealed: the server decided what is in it). Grouped by
// identity server and store, with counts; secrets appear only as "held, not shown".

const when = (iso: string | null) => (iso ? `${iso.replace("T", " ").slice(0, 19)} UTC` : "—");

function Summary({ view }: { view: SubjectView }) {
  const t = view.totals;
  const stats: [string, number][] = [
    ["Bound associations", t.bound], ["Tombstones", t.tombstones], ["Validation sessions", t.sessions],
    ["Invites to them", t.invitesTo], ["Invites they sent", t.invitesFrom], ["v2 accounts", t.accounts],
    ["In other people's rows", t.embeddedInOthers], ["Log lines", t.logMatches],
  ];
  return (
    <section className="card" aria-labelledby="summary-heading">
      <h2 id="summary-heading">
        {view.query.kindLabel} <span className="mono">{view.query.display}</span>{" "}
        <span className={view.revealed ? "badge badge-warn" : "badge"}>{view.revealed ? "Revealed" : "Masked"}</span>
      </h2>
      {!view.foundAnywhere && (
        <p className="banner-warn" role="status">Not found anywhere: no identity server and no log file holds this identifier. The search is recorded in the access log.</p>
      )}
      {view.expanded && <p className="muted">Reverse lookup applied: Matrix IDs and 3PIDs found for this person were searched too.</p>}
      <p>
        Identifiers found: {[...view.identifiers.emails, ...view.identifiers.msisdns, ...view.identifiers.mxids].map((i) => <span key={i} className="mono">{i} </span>)}
        {view.identifiers.sessionCount > 0 && <span className="muted">and {view.identifiers.sessionCount} validation session id(s)</span>}
      </p>
      <LinkedRequests view={view} />
      <div className="grid">
        {stats.map(([label, value]) => <div key={label} className="stat"><div className="value">{value}</div><div className="label">{label}</div></div>)}
      </div>
    </section>
  );
}

function Server({ s }: { s: ServerView }) {
  const id = `server-${s.label}`;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{s.label} <span className="muted mono">{s.serverName}</span></h2>
      {!s.ok && <p className="banner-error">This identity database could not be read: {s.error}</p>}
      {s.ok && !s.hasData && <p className="muted">Nothing held on this server.</p>}
      {s.associations.length > 0 && (
        <div className="table-scroll"><table className="data" aria-label={`Associations on ${s.label}`}>
          <caption className="sr-only">Associations on {s.label}</caption>
          <thead><tr><th>Store</th><th>Address</th><th>Matrix ID</th><th>State</th><th>Origin</th><th>Since</th><th>Received by peers</th></tr></thead>
          <tbody>
            {s.associations.map((a) => (
              <tr key={`${a.table}-${a.id}`}>
                <td>{a.table === "local" ? "Local" : "Global"} #{a.id}</td>
                <td className="mono">{a.address}</td>
                <td className="mono">{a.mxid ?? "—"}</td>
                <td><span className={a.state === "bound" ? "badge badge-ok" : "badge badge-warn"}>{a.state === "bound" ? "Bound" : "Unbound (tombstone)"}</span></td>
                <td className="mono">{a.originServer}</td>
                <td>{when(a.at)}</td>
                <td>{a.table === "local" ? (a.deliveredTo.map((d) => `${d.peer}: ${d.received ? "yes" : "not yet"}`).join("; ") || "no peers") : "—"}
                  {a.sgAssocCarriesInvites && <div className="muted">signed association carries invites</div>}</td>
              </tr>
            ))}
          </tbody>
        </table></div>
      )}
      <dl className="props">
        <dt>Validation sessions</dt>
        <dd>{s.sessions.length === 0 ? "None" : s.sessions.map((x) => (
          <div key={String(x.ref)}>{x.ref}: <span className="mono">{x.address}</span> — {x.validated ? "validated" : "not validated"}, last change {when(x.lastModified)}, {x.tokenRows} token row(s); held but not shown: {x.secretsHeld.join(", ") || "none"}</div>
        ))}</dd>
        <dt>Invites to them</dt>
        <dd>{s.invites.to.count} {s.invites.to.items.map((i) => <div key={i.id} className="muted">from <span className="mono">{i.sender}</span>, {i.state}, received {when(i.receivedAt)}</div>)}</dd>
        <dt>Invites they sent</dt>
        <dd>{s.invites.from.count} {s.invites.from.items.map((i) => <div key={i.id} className="muted">to <span className="mono">{i.address}</span>, {i.state}, received {when(i.receivedAt)}</div>)}</dd>
        <dt>v2 account</dt>
        <dd>{s.account.present ? `Present: ${s.account.activeTokens} active token(s) (values never shown), ${s.account.acceptedTerms} accepted terms document(s), created ${when(s.account.createdAt)}` : "None"}</dd>
        <dt>In other people&apos;s signed associations</dt>
        <dd>{s.embeddedInOthers.count} {s.embeddedInOthers.items.map((e) => <div key={e.globalId} className="muted">global #{e.globalId} of <span className="mono">{e.rowAddress}</span> embeds their {e.embeds.join(" and ")}</div>)}</dd>
        <dt>Replication peers</dt>
        <dd>{s.peers.map((p) => `${p.name}${p.active ? "" : " (inactive)"}`).join(", ") || "None"}</dd>
      </dl>
    </section>
  );
}

function Logs({ logs }: { logs: NonNullable<SubjectView["logs"]> }) {
  // Only files with a match are listed; the rest are summarised in one line (a demo searches
  // hundreds of rotated files, and listing every one buried the actions under the table).
  const matching = logs.files.filter((f) => f.matches > 0);
  const others = logs.files.length - matching.length;
  const bySource = new Map<string, number>();
  for (const f of logs.files) if (f.matches === 0) bySource.set(f.source, (bySource.get(f.source) ?? 0) + 1);
  return (
    <section className="card" aria-labelledby="logs-heading">
      <h2 id="logs-heading">Log files</h2>
      <p>{logs.matches} matching line(s) in {matching.length} of {logs.filesSearched} file(s) searched, {logs.linesScanned.toLocaleString("en-GB")} lines read.
        {logs.lastCopyExpiresAt && <> The last copy expires {when(logs.lastCopyExpiresAt)}.</>}</p>
      {logs.problems.length > 0 && (
        <div className="banner-warn"><p>Some files could not be searched completely:</p>
          <ul>{logs.problems.map((p) => <li key={p.file}><span className="mono">{p.file}</span>: {p.problem} — {p.detail}</li>)}</ul></div>
      )}
      {matching.length > 0 && (
        <div className="table-scroll">
          <table className="data" aria-label="Log files with matches">
            <thead><tr><th>File</th><th>Source</th><th className="num">Matches</th><th>Expires</th></tr></thead>
            <tbody>{matching.map((f) => <tr key={f.file}><td className="mono wrap-any">{f.file}</td><td>{f.source}</td><td className="num">{f.matches}</td><td className="nowrap">{when(f.expiresAt)}</td></tr>)}</tbody>
          </table>
        </div>
      )}
      {others > 0 && (
        <p className="muted" data-testid="logs-no-match">
          {others} other file(s) searched with no match ({[...bySource].map(([src, n]) => `${src}: ${n}`).join(", ")}).
        </p>
      )}
      {logs.lines ? (
        <ol className="mono log-lines" aria-label="Matching log lines">
          {logs.lines.map((l) => <li key={`${l.file}:${l.lineNo}`}><span className="muted">{l.file}:{l.lineNo}</span> {l.text}</li>)}
        </ol>
      ) : (
        logs.matches > 0 && <p className="muted">Line text is shown only after a reveal.</p>
      )}
    </section>
  );
}

function RestrictionFlag({ restrictions }: { restrictions: NonNullable<SubjectView["restrictions"]> }) {
  if (restrictions.length === 0) return null;
  return (
    <div className="banner-error" role="alert" data-testid="restriction-flag">
      <strong>Processing restricted (Art. 18).</strong> Custodian only stores this person&apos;s data until the restriction is
      lifted: no erasure and no other action on it.
      <ul>
        {restrictions.map((r) => (
          <li key={`${r.masked}-${r.since}`}>{r.masked}: {r.groundLabel}, since {r.since}</li>
        ))}
      </ul>
    </div>
  );
}

function LinkedRequests({ view }: { view: SubjectView }) {
  const linked = view.linkedRequests ?? [];
  return (
    <p data-testid="linked-requests">
      Linked requests:{" "}
      {linked.length === 0 ? <span className="muted">none</span> : linked.map((r, i) => (
        <span key={r.id}>{i > 0 && ", "}<a href={`/requests/${r.id}`} className="mono">{r.reference}</a>{" "}
          <span className="muted">({REQUEST_TYPE_LABELS[r.type as RequestType] ?? r.type}, {STATE_LABELS[r.state as RequestState] ?? r.state})</span></span>
      ))}
    </p>
  );
}

export function SubjectResults({ view, actions }: { view: SubjectView; actions?: React.ReactNode }) {
  return (
    <div>
      {view.restrictions && <RestrictionFlag restrictions={view.restrictions} />}
      <Summary view={view} />
      {actions}
      {view.servers.map((s) => <Server key={s.id} s={s} />)}
      {view.logs && <Logs logs={view.logs} />}
    </div>
  );
}
