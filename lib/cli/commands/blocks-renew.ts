import { defineCommand, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { parseExpiry, printResult } from "@/lib/blocks/cli-shared";
import { renewBlock } from "@/lib/blocks/service";

export default defineCommand({
  name: "blocks:renew",
  summary: "Renew an active block with a new reason and a later expiry (needs blocks.manage).",
  options: {
    operator: { type: "string", description: "Staff e-mail with blocks.manage (required)." },
    id: { type: "string", description: "The block's id." },
    reason: { type: "string", description: "The new reason (must differ from the current one)." },
    expires: { type: "string", description: "New expiry: ISO date or a duration like 30d (at most 180 days from now)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "blocks.manage");
    const id = String(values.id ?? "").trim();
    if (!id) throw new UsageError("--id <block id> is required.");
    return printResult(await renewBlock(actor, id, { reason: values.reason ?? "", expiresAt: parseExpiry(values.expires) }));
  },
});
