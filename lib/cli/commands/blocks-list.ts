import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { recordAccess } from "@/lib/audit/log";
import { findBlocks } from "@/lib/blocks/queries";

export default defineCommand({
  name: "blocks:list",
  summary: "List abuse blocks (default: active and pending; needs blocks.view).",
  options: {
    operator: { type: "string", description: "Staff e-mail with blocks.view (required)." },
    state: { type: "string", description: "current (default) | active | pending | lifted | expired | all" },
    kind: { type: "string", description: "Only this kind (ip, mxid, email, msisdn, domain, homeserver)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "blocks.view");
    const state = values.state === "all" ? undefined : String(values.state ?? "current");
    const r = await findBlocks({ page: 1, pageSize: 100_000, sort: "createdAt", dir: "desc", state, kind: values.kind as string | undefined });
    await recordAccess({ actor, action: "block.list", outcome: "ok", details: { count: r.count, state: state ?? "all" } });
    printJson({ count: r.count, blocks: r.data });
    return 0;
  },
});
