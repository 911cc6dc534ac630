import { recordAccess, withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { checkSydentFile } from "@/lib/servers/file-check";
import { internalUrlProblem } from "@/lib/servers/api-urls";
import { fieldErrors, registerServerSchema, type FieldErrors } from "@/lib/servers/schemas";

// Registering an identity server: validated input, a real look at the file, and one access-log
// entry whatever the outcome ("server.register", ok or invalid).

export type ServerActionResult =
  | { ok: true; message: string; serverId: string; warnings: string[] }
  | { ok: false; message: string; fieldErrors?: FieldErrors };

export async function refuse(
  actor: Actor,
  action: string,
  message: string,
  details: Record<string, unknown>,
  errors?: FieldErrors,
  serverId?: string,
): Promise<ServerActionResult> {
  const target = serverId ? { type: "server" as const, ref: serverId } : undefined;
  await recordAccess({ actor, action, target, outcome: "invalid", details });
  return { ok: false, message, fieldErrors: errors };
}

async function duplicate(label: string, serverName: string, dbPath: string): Promise<FieldErrors | null> {
  const clash = await db().identityServer.findFirst({ where: { OR: [{ label }, { serverName }, { dbPath }] } });
  if (!clash) return null;
  const errors: FieldErrors = {};
  if (clash.label === label) errors.label = [`The label ${label} is already in use.`];
  if (clash.serverName === serverName) errors.serverName = [`${serverName} is already registered (as ${clash.label}).`];
  if (clash.dbPath === dbPath) errors.dbPath = [`This file is already registered (as ${clash.label}).`];
  return errors;
}

export async function registerServer(actor: Actor, raw: unknown): Promise<ServerActionResult> {
  const action = "server.register";
  const parsed = registerServerSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    return refuse(actor, action, "Check the highlighted fields.", { reason: "invalid_input", fields: Object.keys(errors) }, errors);
  }
  const input = parsed.data;
  const urlProblem = input.internalApiUrl ? await internalUrlProblem(input.internalApiUrl) : null;
  if (urlProblem) return refuse(actor, action, `Not registered. ${urlProblem}`, { reason: "internal_api_public", label: input.label }, { internalApiUrl: [urlProblem] });
  const dup = await duplicate(input.label, input.serverName, input.dbPath);
  if (dup) return refuse(actor, action, "This server or file is already registered.", { reason: "duplicate", fields: Object.keys(dup) }, dup);
  const check = await checkSydentFile(input.dbPath, input.serverName);
  if (!check.ok) {
    return refuse(actor, action, `Not registered. ${check.message}`, { reason: check.errorKind, label: input.label }, { dbPath: [check.message] });
  }
  const created = await withAccessLog(
    (s: { id: string }) => ({
      actor,
      action,
      target: { type: "server", ref: s.id },
      outcome: "ok",
      details: { label: input.label, serverName: input.serverName, clientApi: !!input.clientApiUrl, internalApi: !!input.internalApiUrl, driftItems: check.driftCount, warnings: check.warnings.length },
    }),
    (tx) =>
      tx.identityServer.create({
        data: {
          label: input.label,
          serverName: input.serverName,
          dbPath: input.dbPath,
          sydentLogPaths: JSON.stringify(input.sydentLogPaths),
          haproxyLogPaths: JSON.stringify(input.haproxyLogPaths),
          clientApiUrl: input.clientApiUrl,
          internalApiUrl: input.internalApiUrl,
        },
        select: { id: true },
      }),
  );
  return { ok: true, message: `Registered ${input.label} (${input.serverName}).`, serverId: created.id, warnings: check.warnings };
}
