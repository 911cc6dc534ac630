import { recordAccess } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { ERROR_TITLES } from "@/lib/sydent/errors";
import { busyTimeoutMs } from "@/lib/sydent/open";
import { sydentOverview, type OverviewResult } from "@/lib/sydent/overview";
import { getServer, listServers, type ServerRecord } from "@/lib/servers/queries";

// Server health for the list and the overview page. No personal data is read: counts, schema
// and replication state only. Opening an overview is still access-logged (server.overview.view).

export type Health = "ok" | "warn" | "bad" | "disabled";
export type HealthSummary = { health: Health; reasons: string[] };

export function healthOf(o: OverviewResult | null): HealthSummary {
  if (!o) return { health: "disabled", reasons: ["Disabled: the console does not read this server."] };
  if (!o.ok) return { health: "bad", reasons: [`${ERROR_TITLES[o.error.kind]}: ${o.error.message}`] };
  const reasons = [
    ...o.inspection.knownDrift.map((k) => k.title),
    ...(o.inspection.drift.length ? [`${o.inspection.drift.length} schema difference(s) from Sydent 2.7.0`] : []),
    ...o.peers.filter((p) => p.stuck).map((p) => `Replication to ${p.name} is stuck (${p.backlog} id(s) behind)`),
    ...(o.sgAssocWithInvites ? [`${o.sgAssocWithInvites} association(s) embed other people's invites`] : []),
    ...o.warnings,
  ];
  return { health: reasons.length ? "warn" : "ok", reasons };
}

export type ServerWithHealth = { server: ServerRecord } & HealthSummary;

/** Every registered server with its health (short busy wait; the sgAssoc scan result is reused while the table is unchanged). */
export async function listServersWithHealth(): Promise<ServerWithHealth[]> {
  const servers = await listServers({ includeDisabled: true });
  const wait = Math.min(250, busyTimeoutMs());
  return Promise.all(
    servers.map(async (server) => {
      const o = server.disabledAt
        ? null
        : await sydentOverview(server.dbPath, { serverName: server.serverName, busyTimeoutMs: wait });
      return { server, ...healthOf(o) };
    }),
  );
}

export type ServerOverviewView = { server: ServerRecord; overview: OverviewResult | null } & HealthSummary;

/** The overview page's data; null when there is no such server. Always writes one log entry. */
export async function viewServerOverview(actor: Actor, id: string): Promise<ServerOverviewView | null> {
  const action = "server.overview.view";
  const server = await getServer(id);
  if (!server) {
    await recordAccess({ actor, action, target: { type: "server", ref: id }, outcome: "not_found" });
    return null;
  }
  const overview = server.disabledAt ? null : await sydentOverview(server.dbPath, { serverName: server.serverName });
  const summary = healthOf(overview);
  await recordAccess({
    actor,
    action,
    target: { type: "server", ref: server.id },
    outcome: overview && !overview.ok ? "error" : "ok",
    details: { label: server.label, health: summary.health, errorKind: overview && !overview.ok ? overview.error.kind : undefined },
  });
  return { server, overview, ...summary };
}
