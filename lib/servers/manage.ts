import { withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { checkSydentFile } from "@/lib/servers/file-check";
import { getServer } from "@/lib/servers/queries";
import { internalUrlProblem } from "@/lib/servers/api-urls";
import { refuse, type ServerActionResult } from "@/lib/servers/register";
import { fieldErrors, serverIdSchema, updateServerSchema } from "@/lib/servers/schemas";

// Changing a registered server's paths, disabling and re-enabling it. Each writes one
// access-log entry (server.update / server.disable / server.enable), refused attempts included.

export async function updateServerPaths(actor: Actor, raw: unknown): Promise<ServerActionResult> {
  const action = "server.update";
  const parsed = updateServerSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    return refuse(actor, action, "Check the highlighted fields.", { reason: "invalid_input", fields: Object.keys(errors) }, errors);
  }
  const input = parsed.data;
  const server = await getServer(input.id);
  if (!server) return refuse(actor, action, "No such server.", { reason: "not_found" });
  const urlProblem = input.internalApiUrl ? await internalUrlProblem(input.internalApiUrl) : null;
  if (urlProblem) return refuse(actor, action, `Not changed. ${urlProblem}`, { reason: "internal_api_public" }, { internalApiUrl: [urlProblem] }, server.id);
  let warnings: string[] = [];
  if (input.dbPath !== server.dbPath) {
    const clash = await db().identityServer.findFirst({ where: { dbPath: input.dbPath, NOT: { id: server.id } } });
    if (clash) return refuse(actor, action, `This file is already registered (as ${clash.label}).`, { reason: "duplicate" }, { dbPath: ["Already registered."] }, server.id);
    const check = await checkSydentFile(input.dbPath, server.serverName);
    if (!check.ok) return refuse(actor, action, `Not changed. ${check.message}`, { reason: check.errorKind }, { dbPath: [check.message] }, server.id);
    warnings = check.warnings;
  }
  const changed = (["dbPath", "sydentLogPaths", "haproxyLogPaths", "clientApiUrl", "internalApiUrl"] as const).filter(
    (k) => JSON.stringify(input[k]) !== JSON.stringify(server[k]),
  );
  await withAccessLog(
    { actor, action, target: { type: "server", ref: server.id }, outcome: "ok", details: { label: server.label, changed } },
    (tx) =>
      tx.identityServer.update({
        where: { id: server.id },
        data: {
          dbPath: input.dbPath, sydentLogPaths: JSON.stringify(input.sydentLogPaths), haproxyLogPaths: JSON.stringify(input.haproxyLogPaths),
          clientApiUrl: input.clientApiUrl, internalApiUrl: input.internalApiUrl,
        },
      }),
  );
  const message = changed.length ? `Updated ${server.label}: ${changed.join(", ")}.` : `Nothing changed for ${server.label}.`;
  return { ok: true, message, serverId: server.id, warnings };
}

export async function setServerDisabled(actor: Actor, raw: unknown, disabled: boolean): Promise<ServerActionResult> {
  const action = disabled ? "server.disable" : "server.enable";
  const parsed = serverIdSchema.safeParse(raw);
  if (!parsed.success) return refuse(actor, action, "Missing server id.", { reason: "invalid_input" });
  const server = await getServer(parsed.data.id);
  if (!server) return refuse(actor, action, "No such server.", { reason: "not_found" });
  await withAccessLog(
    { actor, action, target: { type: "server", ref: server.id }, outcome: "ok", details: { label: server.label } },
    (tx) => tx.identityServer.update({ where: { id: server.id }, data: { disabledAt: disabled ? new Date() : null } }),
  );
  const message = disabled ? `Disabled ${server.label}; the console no longer reads its files.` : `Re-enabled ${server.label}.`;
  return { ok: true, message, serverId: server.id, warnings: [] };
}
