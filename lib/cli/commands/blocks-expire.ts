import { defineCommand } from "@/lib/cli/command";
import { operatorOrSystem, printResult } from "@/lib/blocks/cli-shared";
import { expireBlocks } from "@/lib/blocks/service";

// For cron (every minute): ends blocks whose expiry has passed and removes them from HAProxy.

export default defineCommand({
  name: "blocks:expire",
  summary: "End every block whose expiry has passed and remove it from HAProxy (cron; also runs at start-up).",
  options: {
    operator: { type: "string", description: "Staff e-mail with blocks.manage (optional: logged as the system without it)." },
  },
  async run({ values }) {
    const actor = await operatorOrSystem(values.operator, "blocks.manage", "blocks-expire");
    return printResult(await expireBlocks(actor));
  },
});
