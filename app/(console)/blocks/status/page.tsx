import { actorOf, requireOperator } from "@/lib/auth/guard";
import { syncBlocks } from "@/lib/blocks/sync";
import { SyncForm } from "./sync-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Block status" };

// What HAProxy really holds (show acl) against the console's active blocks and the list files.
// Counts per list only: no targets are shown here. Detected drift is access-logged (block.drift).

export default async function BlockStatusPage() {
  const op = await requireOperator("blocks.sync");
  const r = await syncBlocks(actorOf(op), { repair: false });
  return (
    <>
      <h1>Block status</h1>
      {!r.ok ? (
        <div className="banner-error" role="alert">HAProxy cannot be checked: {r.message}</div>
      ) : r.inSync ? (
        <div className="banner-ok" role="status">HAProxy holds exactly the console&apos;s {r.expected} active block pattern(s), and the files match.</div>
      ) : (
        <div className="banner-warn" role="alert">Drift: HAProxy or the block files differ from the console in {r.drifted.length} list(s).</div>
      )}
      {r.ok && r.drifted.length > 0 && (
        <div className="table-scroll"><table>
          <caption>Lists that differ</caption>
          <thead><tr><th scope="col">List</th><th scope="col">Expected</th><th scope="col">In HAProxy</th><th scope="col">In file</th><th scope="col">Missing in HAProxy</th><th scope="col">Unknown in HAProxy</th></tr></thead>
          <tbody>
            {r.drifted.map((d) => (
              <tr key={d.list}><td className="mono">{d.list}</td><td>{d.expected}</td><td>{d.inHaproxy}</td><td>{d.inFile}</td><td>{d.missing}</td><td>{d.extra}</td></tr>
            ))}
          </tbody>
        </table></div>
      )}
      {r.ok && <p className="muted">Patterns expected: {r.expected}; held by HAProxy: {r.inHaproxy}.</p>}
      <SyncForm />
    </>
  );
}
