import { defineCommand } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { parseExpiry, printResult } from "@/lib/blocks/cli-shared";
import { createBlock } from "@/lib/blocks/service";

// Creates a block and applies it to HAProxy at once; a broad one (wider than /16 or /48, a whole
// domain or homeserver) is stored as pending until a second person runs blocks:approve.

export default defineCommand({
  name: "blocks:add",
  summary: "Block an IP/CIDR, Matrix ID, e-mail, phone (E.164), e-mail domain or homeserver in HAProxy (needs blocks.manage).",
  options: {
    operator: { type: "string", description: "Staff e-mail with blocks.manage (required)." },
    kind: { type: "string", description: "ip | mxid | email | msisdn | domain | homeserver" },
    target: { type: "string", description: "What to block (normalised before it is stored)." },
    scope: { type: "string", description: "all (default) | validation | lookups | invites" },
    reason: { type: "string", description: "Why (at least 10 characters, no identifiers)." },
    expires: { type: "string", description: "Expiry: ISO date or a duration like 7d or 12h (at most 180 days)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "blocks.manage");
    const r = await createBlock(actor, {
      kind: values.kind, target: values.target ?? "", scope: values.scope ?? "all", reason: values.reason ?? "", expiresAt: parseExpiry(values.expires),
    });
    return printResult(r);
  },
});
