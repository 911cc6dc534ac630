import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { registerServer } from "@/lib/servers/register";

// server:register: the command-line twin of /admin/servers (same validation, file check and log).

export default defineCommand({
  name: "server:register",
  summary: "Register a Sydent identity server (its SQLite file is checked first).",
  options: {
    label: { type: "string", description: "Short label, e.g. is1." },
    "server-name": { type: "string", description: "Sydent's server.name, e.g. is1.example.org." },
    db: { type: "string", description: "Path of Sydent's SQLite file." },
    "sydent-log": { type: "string", multiple: true, description: "Sydent log path or glob (repeat for several)." },
    "haproxy-log": { type: "string", multiple: true, description: "HAProxy log path or glob (repeat for several)." },
    "client-api": { type: "string", description: "Sydent's client API base URL (verification through its lookups), e.g. http://127.0.0.1:8090." },
    "internal-api": { type: "string", description: "Sydent's internal API base URL (loopback or private address only), e.g. http://127.0.0.1:8091." },
    operator: { type: "string", description: "Admin's staff e-mail (required; named in the access log)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "servers.manage");
    const result = await registerServer(actor, {
      label: values.label ?? "",
      serverName: values["server-name"] ?? "",
      dbPath: values.db ?? "",
      sydentLogPaths: values["sydent-log"] ?? [],
      haproxyLogPaths: values["haproxy-log"] ?? [],
      clientApiUrl: values["client-api"] ?? "",
      internalApiUrl: values["internal-api"] ?? "",
    });
    printJson(result);
    if (!result.ok) console.error(result.message);
    return result.ok ? 0 : 1;
  },
});
