import type { ErasureReceipt } from "@/lib/erasure/receipt";

// The receipt (lib/erasure/receipt.ts buildReceipt): per server and per store what was done, the
// verification, who and when; the masked identifier only. Downloadable as JSON.

const at = (iso: string | null) => (iso ? `${iso.replace("T", " ").slice(0, 16)} UTC` : "—");

function Verification({ v }: { v: ErasureReceipt["servers"][number]["verification"] }) {
  if (!v) return <p className="muted">Not verified yet.</p>;
  const found = v.lookups.v1Found + v.lookups.bulkFound + v.lookups.v2Found + v.lookups.storeInviteInUse;
  const left = Object.entries(v.leftovers).filter(([, n]) => n > 0);
  return (
    <p className={v.ok ? "banner-ok" : "banner-error"} data-testid="verification">
      {v.ok ? "Verified: nothing found." : "Verification found data still held."}{" "}
      Lookups Sydent would run (v1, bulk, v2 with this server&apos;s pepper, store-invite) over {v.lookups.checked3pids} identifier(s): {found} answer(s).
      {left.length > 0 && <> Left: {left.map(([k, n]) => `${k} ${n}`).join(", ")}.</>} <span className="muted">({at(v.at)})</span>
      <SydentAnswers s={v.sydent} />
    </p>
  );
}

const CHECK_LABEL: Record<string, string> = { v1: "v1 lookup", bulk: "bulk lookup", hash_details: "v2 hash details", v2: "v2 lookup" };

/** What the running Sydent itself answered (status codes as received; "no answer" = timeout or refused). */
function SydentAnswers({ s }: { s: NonNullable<ErasureReceipt["servers"][number]["verification"]>["sydent"] }) {
  if (!s) return <><br /><span className="muted">Sydent itself was not asked (no client API URL registered for this server).</span></>;
  const codes = (xs: (number | null)[]) => [...new Set(xs.map((x) => (x === null ? "no answer" : `HTTP ${x}`)))].join(", ");
  return (
    <>
      <br />
      <span data-testid="sydent-answers">
        Sydent itself ({s.ok ? "nothing found" : "failed"}):{" "}
        {s.answers.map((a) => `${CHECK_LABEL[a.check] ?? a.check} ${codes(a.statuses)}${a.asked ? `, ${a.found} of ${a.asked} found` : ""}`).join("; ") || "no identifiers to ask about"}
        {s.v2 === "no_token" && "; v2 lookup not asked (no v2 account token registered)"}.
        {s.problems.length > 0 && <> Problems: {s.problems.join("; ")}.</>}
      </span>
    </>
  );
}

export function ReceiptView({ receipt: r, downloadHref }: { receipt: ErasureReceipt; downloadHref: string }) {
  return (
    <section className="card" aria-labelledby="receipt-heading" data-testid="receipt">
      <h2 id="receipt-heading">Receipt</h2>
      <p>
        <a className="btn" href={downloadHref} download>Download receipt (JSON)</a>{" "}
        {r.accessLog && <span className="muted">Linked to access-log entry <span className="mono">#{r.accessLog.seq}</span> ({r.accessLog.hash.slice(0, 12)}…)</span>}
      </p>
      <dl className="props">
        <dt>Subject</dt><dd className="mono">{r.subject}</dd>
        <dt>Request</dt><dd className="mono">{r.requestReference ?? r.requestId}</dd>
        <dt>State</dt><dd>{r.state.replace(/_/g, " ")}</dd>
        <dt>Asked for by</dt><dd>{r.people.requestedBy ?? "—"} <span className="muted">{at(r.times.requestedAt)}</span></dd>
        <dt>Approved by</dt><dd>{r.people.approvedBy ?? "—"} <span className="muted">{at(r.times.approvedAt)}</span></dd>
        <dt>Executed by</dt><dd>{r.people.executedBy ?? "—"}</dd>
        <dt>Inaccessible since</dt><dd>{at(r.times.phase1DoneAt)}</dd>
        <dt>Phase 2 due</dt><dd>{at(r.times.phase2DueAt)}</dd>
        <dt>Completed</dt><dd>{at(r.times.completedAt)}</dd>
        <dt>Log copies</dt>
        <dd>
          {r.logs.files} file(s); {r.logs.mode === "scrub" ? (r.logs.scrubbed ? "scrubbed" : "to be scrubbed") : "left to expire"}; last copy disappears {r.logs.lastCopyExpiresAt ? r.logs.lastCopyExpiresAt.slice(0, 10) : "— (none)"}
        </dd>
      </dl>
      {r.nothingHeld && <p className="banner-ok">Nothing held: no registered identity server and no log file held data about this person. Nothing was changed.</p>}
      {r.servers.map((s) => (
        <div key={s.serverName} data-testid={`receipt-${s.server}`}>
          <h3>{s.server} <span className="muted mono">({s.serverName})</span></h3>
          {Object.keys(s.stores).length > 0 && (
            <div className="table-scroll"><table className="data" aria-label={`Receipt for ${s.server}`}>
              <thead><tr><th scope="col">Store</th><th scope="col">Done</th></tr></thead>
              <tbody>
                {Object.entries(s.stores).map(([store, counts]) => (
                  <tr key={store}><td className="mono">{store}</td><td>{Object.entries(counts).map(([k, n]) => `${k.replace(/([A-Z])/g, " $1").toLowerCase()}: ${n}`).join(", ")}</td></tr>
                ))}
              </tbody>
            </table></div>
          )}
          <Verification v={s.verification} />
          {s.pendingTombstones.length > 0 && (
            <p className="muted">Tombstones kept until delivered: {s.pendingTombstones.map((t) => `#${t.tombstoneId} owed to ${t.owedTo.join(", ")}`).join("; ")} (phase 2 removes them once every active peer has them).</p>
          )}
        </div>
      ))}
      {r.owedByUnregisteredPeers.length > 0 && (
        <p className="banner-warn">Owed by servers not registered here: {r.owedByUnregisteredPeers.map((o) => `${o.peer} (${o.bindings} binding(s))`).join(", ")}.</p>
      )}
    </section>
  );
}
