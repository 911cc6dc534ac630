import { defineCommand } from "@/lib/cli/command";
import { env } from "@/lib/env";
import { haproxyFrontendLines, haproxyGlobalLines } from "@/lib/blocks/haproxy-config";
import { ensureListFiles } from "@/lib/blocks/lists";

// Prints the haproxy.cfg lines for the configured block directory and socket, and creates the
// (empty) list files so HAProxy can start with them.

export default defineCommand({
  name: "blocks:haproxy-config",
  summary: "Print the haproxy.cfg lines that load Custodian's block lists (and create the empty lists).",
  options: {},
  async run() {
    const e = env();
    ensureListFiles(e.haproxyBlockDir);
    const socket = e.CUSTODIAN_HAPROXY_SOCKET ?? "/run/haproxy/admin.sock";
    process.stdout.write(["# in 'global':", ...haproxyGlobalLines(socket).map((l) => `\t${l}`), "# in the frontend in front of Sydent:", ...haproxyFrontendLines(e.haproxyBlockDir).map((l) => `\t${l}`), ""].join("\n"));
    return 0;
  },
});
