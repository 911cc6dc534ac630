import Link from "next/link";
import { requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { listServersWithHealth } from "@/lib/servers/overview";
import { HealthBadge } from "./health-badge";

export const dynamic = "force-dynamic";
export const metadata = { title: "Identity servers" };

export default async function ServersPage() {
  const op = await requireOperator("servers.view");
  const servers = await listServersWithHealth();
  return (
    <>
      <h1>Identity servers</h1>
      <p className="muted">
        Each registered Sydent database, checked now: schema, replication and known leaks. No personal data is shown here.
      </p>
      {servers.length === 0 ? (
        <p className="card">
          No identity server is registered yet.
          {can(op.role, "servers.manage") && <> <Link href="/admin/servers">Register one</Link>.</>}
        </p>
      ) : (
        <div className="table-scroll"><table className="data">
          <caption className="sr-only">Registered identity servers and their health</caption>
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col">server.name</th>
              <th scope="col">Health</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {servers.map(({ server, health, reasons }) => (
              <tr key={server.id}>
                <td><Link href={`/servers/${server.id}`}>{server.label}</Link></td>
                <td className="mono">{server.serverName}</td>
                <td><HealthBadge health={health} /></td>
                <td>
                  {reasons.length === 0 ? <span className="muted">Schema matches Sydent 2.7.0; replication up to date.</span> : (
                    <ul>{reasons.map((r) => <li key={r}>{r}</li>)}</ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table></div>
      )}
    </>
  );
}
