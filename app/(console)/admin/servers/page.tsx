import Link from "next/link";
import { requireOperator } from "@/lib/auth/guard";
import { listServers } from "@/lib/servers/queries";
import { EditServerForm, RegisterServerForm, SydentModeForm, ToggleServerForm, type EditableServer } from "./server-forms";

export const dynamic = "force-dynamic";
export const metadata = { title: "Manage identity servers" };

export default async function AdminServersPage() {
  await requireOperator("servers.manage");
  const servers = await listServers({ includeDisabled: true });
  return (
    <>
      <h1>Manage identity servers</h1>
      <p className="muted">
        Register each Sydent database the console watches, and where its logs are. Files are only read; the console never changes
        a Sydent schema. Every change here is written to the access log.
      </p>
      <RegisterServerForm />
      <h2>Registered servers</h2>
      {servers.length === 0 && <p className="muted">None yet.</p>}
      {servers.map((s) => {
        const editable: EditableServer = {
          id: s.id, label: s.label, dbPath: s.dbPath, sydentLogPaths: s.sydentLogPaths, haproxyLogPaths: s.haproxyLogPaths, disabled: !!s.disabledAt,
          clientApiUrl: s.clientApiUrl, internalApiUrl: s.internalApiUrl, sydentMode: s.sydentMode,
        };
        return (
          <section key={s.id} className="card" aria-labelledby={`server-${s.id}`}>
            <h3 id={`server-${s.id}`}>
              <Link href={`/servers/${s.id}`}>{s.label}</Link> <span className="mono muted">{s.serverName}</span>{" "}
              {s.disabledAt ? <span className="badge">Disabled {s.disabledAt.toISOString().slice(0, 10)}</span> : <span className="badge badge-ok">Enabled</span>}
            </h3>
            <p>
              Sydent: <strong>{s.sydentMode === "stopped" ? "declared stopped" : "live"}</strong>
              {s.sydentModeAt && <span className="muted"> (by {s.sydentModeBy} on {s.sydentModeAt.toISOString().slice(0, 16).replace("T", " ")} UTC: {s.sydentModeNote})</span>}
              {s.sydentMode === "live" && !s.internalApiUrl && <span className="badge">No internal API: erasures pause</span>}
            </p>
            <EditServerForm server={editable} />
            <SydentModeForm server={editable} />
            <ToggleServerForm server={editable} />
          </section>
        );
      })}
    </>
  );
}
