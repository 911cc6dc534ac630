import { defineCommand, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { printResult } from "@/lib/blocks/cli-shared";
import { liftBlock } from "@/lib/blocks/service";

export default defineCommand({
  name: "blocks:lift",
  summary: "Lift a block (removed from HAProxy at once; needs blocks.manage).",
  options: {
    operator: { type: "string", description: "Staff e-mail with blocks.manage (required)." },
    id: { type: "string", description: "The block's id (blocks:list)." },
    reason: { type: "string", description: "Why it is lifted (at least 10 characters)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "blocks.manage");
    const id = String(values.id ?? "").trim();
    if (!id) throw new UsageError("--id <block id> is required.");
    return printResult(await liftBlock(actor, id, values.reason ?? ""));
  },
});
