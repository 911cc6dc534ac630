import { withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { getServer } from "@/lib/servers/queries";
import { refuse, type ServerActionResult } from "@/lib/servers/register";
import { fieldErrors, sydentModeSchema } from "@/lib/servers/schemas";
import { proveStopped } from "@/lib/servers/sydent-state";

// Declaring how Custodian may write to a server's database (IdentityServer.sydentMode):
//   live     a Sydent process serves the file (the default): only Sydent's internal API writes;
//   stopped  the operator stopped Sydent (maintenance window, a restored backup): direct SQL is
//            allowed, and proveStopped() is still asked before every single write.
// Declaring "stopped" is refused while Sydent answers or holds the file, so it cannot be declared
// by mistake ahead of the stop. Who, when and why are stored on the server and access-logged
// (server.mode). Switching back to live needs no proof.

export async function setSydentMode(actor: Actor, raw: unknown): Promise<ServerActionResult> {
  const action = "server.mode";
  const parsed = sydentModeSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    return refuse(actor, action, "Check the highlighted fields.", { reason: "invalid_input", fields: Object.keys(errors) }, errors);
  }
  const { id, mode, note } = parsed.data;
  const server = await getServer(id);
  if (!server) return refuse(actor, action, "No such server.", { reason: "not_found" });
  let evidence: string[] = [];
  if (mode === "stopped") {
    const proof = await proveStopped(server);
    if (!proof.stopped) {
      return refuse(actor, action, `Not declared stopped: ${proof.reason}. Stop Sydent on ${server.label} first (the peer keeps serving).`, { reason: "sydent_running", label: server.label }, { mode: [proof.reason] }, server.id);
    }
    evidence = proof.evidence;
  }
  await withAccessLog(
    { actor, action, target: { type: "server", ref: server.id }, outcome: "ok", details: { label: server.label, from: server.sydentMode, mode, evidence } },
    (tx) => tx.identityServer.update({ where: { id: server.id }, data: { sydentMode: mode, sydentModeAt: new Date(), sydentModeBy: actor.label, sydentModeNote: note } }),
  );
  const message = mode === "stopped"
    ? `${server.label} declared stopped: waiting maintenance steps can run now (erasure:phase2). Declare it live again before Sydent restarts.`
    : `${server.label} declared live: Custodian writes to it only through Sydent's internal API.`;
  return { ok: true, message, serverId: server.id, warnings: [] };
}
