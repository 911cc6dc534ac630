"use server";

import { revalidatePath } from "next/cache";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { setServerDisabled, updateServerPaths } from "@/lib/servers/manage";
import { registerServer, type ServerActionResult } from "@/lib/servers/register";
import { setSydentMode } from "@/lib/servers/sydent-mode";

// Server actions for /admin/servers. Validation, the file check and the access log live in
// lib/servers/register.ts and manage.ts, shared with the command line.

export type ServerFormState = ServerActionResult | null;

function formInput(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ["id", "label", "serverName", "dbPath", "sydentLogPaths", "haproxyLogPaths", "clientApiUrl", "internalApiUrl", "mode", "note"]) {
    const v = form.get(key);
    if (typeof v === "string") out[key] = v;
  }
  return out;
}

function refresh(result: ServerActionResult): ServerActionResult {
  if (result.ok) {
    revalidatePath("/admin/servers");
    revalidatePath("/servers");
  }
  return result;
}

export async function registerServerAction(_prev: ServerFormState, form: FormData): Promise<ServerFormState> {
  const op = await requireOperator("servers.manage");
  return refresh(await registerServer(actorOf(op), formInput(form)));
}

export async function updateServerAction(_prev: ServerFormState, form: FormData): Promise<ServerFormState> {
  const op = await requireOperator("servers.manage");
  return refresh(await updateServerPaths(actorOf(op), formInput(form)));
}

export async function disableServerAction(_prev: ServerFormState, form: FormData): Promise<ServerFormState> {
  const op = await requireOperator("servers.manage");
  return refresh(await setServerDisabled(actorOf(op), formInput(form), true));
}

export async function enableServerAction(_prev: ServerFormState, form: FormData): Promise<ServerFormState> {
  const op = await requireOperator("servers.manage");
  return refresh(await setServerDisabled(actorOf(op), formInput(form), false));
}

export async function sydentModeAction(_prev: ServerFormState, form: FormData): Promise<ServerFormState> {
  const op = await requireOperator("servers.manage");
  return refresh(await setSydentMode(actorOf(op), formInput(form)));
}
