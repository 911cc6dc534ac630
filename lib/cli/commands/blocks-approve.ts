import { defineCommand, UsageError } from "@/lib/cli/command";
import { codeOption, resolveVerifiedOperator } from "@/lib/cli/operator";
import { printResult } from "@/lib/blocks/cli-shared";
import { approveBlock } from "@/lib/blocks/service";

// The second person for a broad block: proves who they are with their authenticator code.

export default defineCommand({
  name: "blocks:approve",
  summary: "Approve someone else's broad block and apply it (needs blocks.manage and --code).",
  options: {
    operator: { type: "string", description: "Staff e-mail with blocks.manage, not the block's creator (required)." },
    id: { type: "string", description: "The pending block's id." },
    ...codeOption,
  },
  async run({ values }) {
    const actor = await resolveVerifiedOperator(values.operator as string | undefined, values.code, "blocks.manage", "blocks:approve");
    const id = String(values.id ?? "").trim();
    if (!id) throw new UsageError("--id <block id> is required.");
    return printResult(await approveBlock(actor, id));
  },
});
