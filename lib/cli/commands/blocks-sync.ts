import { defineCommand, printJson } from "@/lib/cli/command";
import { operatorOrSystem } from "@/lib/blocks/cli-shared";
import { syncBlocks } from "@/lib/blocks/sync";

// Compares HAProxy's lists (show acl) and files with the console's active blocks; repairs drift
// unless --check. Exit 1 when drift remains or HAProxy cannot be reached.

export default defineCommand({
  name: "blocks:sync",
  summary: "Compare HAProxy's block lists with the console and repair drift (--check: report only; needs blocks.sync).",
  options: {
    operator: { type: "string", description: "Staff e-mail with blocks.sync (optional for cron: logged as the system)." },
    check: { type: "boolean", description: "Only report drift; change nothing." },
  },
  async run({ values }) {
    const actor = await operatorOrSystem(values.operator, "blocks.sync", "blocks-sync");
    const r = await syncBlocks(actor, { repair: !values.check });
    printJson(r);
    if (!r.ok) return 1;
    return r.inSync || r.repaired > 0 ? 0 : 1;
  },
});
