import type { ErasureJobView } from "@/lib/erasure/queries";

// Per server: how the job's writes reached Sydent, what a step is waiting for (a maintenance
// window, the internal API), and every lock wait and retry (never hidden). No personal data.

export function WritesView({ writes }: { writes: ErasureJobView["writes"] }) {
  if (writes.length === 0) return null;
  return (
    <section className="card" aria-labelledby="writes-heading">
      <h2 id="writes-heading">Writes per server</h2>
      <table>
        <caption className="muted">Through Sydent&apos;s internal API while it runs; direct only while it was proven stopped.</caption>
        <thead>
          <tr><th scope="col">Server</th><th scope="col">Internal API</th><th scope="col">Replication</th><th scope="col">Direct (Sydent stopped)</th><th scope="col">Lock waits</th><th scope="col">Retries</th><th scope="col">Waiting</th></tr>
        </thead>
        <tbody>
          {writes.map((w) => (
            <tr key={w.server}>
              <th scope="row">{w.server}</th>
              <td>{w.internalApi}</td>
              <td>{w.replication}</td>
              <td>{w.directWhileStopped}</td>
              <td>{w.lockWaits}{w.lockWaits > 0 && ` (${(w.lockWaitMs / 1000).toFixed(1)} s)`}</td>
              <td>{w.retries}</td>
              <td>{w.waiting.length === 0 ? "—" : <ul>{[...new Set(w.waiting.map((x) => x.waitingFor))].map((t) => <li key={t}>{w.waiting.filter((x) => x.waitingFor === t).length} step(s) wait for {t}</li>)}</ul>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
