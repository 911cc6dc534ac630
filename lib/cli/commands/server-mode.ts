import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { getServerByLabel } from "@/lib/servers/queries";
import { setSydentMode } from "@/lib/servers/sydent-mode";

// server:mode: declare whether Sydent serves a server's database ("live") or is stopped
// ("stopped": maintenance window, restored backup). Declaring "stopped" is refused while Sydent
// answers or holds the file. Recorded on the server (who, when, why) and in the access log.

export default defineCommand({
  name: "server:mode",
  summary: "Declare Sydent live or stopped on a server (stopped: proven first; enables direct maintenance writes).",
  options: {
    server: { type: "string", description: "Label of the registered server." },
    mode: { type: "string", description: "live | stopped" },
    note: { type: "string", description: "Why (the maintenance window, the restored backup)." },
    operator: { type: "string", description: "Admin's staff e-mail (required; named in the access log)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "servers.manage");
    const label = (values.server as string | undefined)?.trim();
    if (!label) throw new UsageError("Give --server <label>.");
    const server = await getServerByLabel(label);
    if (!server) throw new UsageError(`No registered server labelled "${label}".`);
    const result = await setSydentMode(actor, { id: server.id, mode: values.mode ?? "", note: values.note ?? "" });
    printJson(result);
    if (!result.ok) console.error(result.message);
    return result.ok ? 0 : 1;
  },
});
