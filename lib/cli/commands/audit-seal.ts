import { defineCommand, printJson } from "@/lib/cli/command";
import { env } from "@/lib/env";
import { sealCheckpoint } from "@/lib/audit/checkpoint";
import { publicKeyFileFor } from "@/lib/audit/checkpoint-key";
import { resolveOperator } from "@/lib/cli/operator";

// For cron: seals a signed checkpoint at the current head (a no-op when nothing was appended
// since the last one). Creates the signing key on first use; see lib/audit/checkpoint-key.ts.

export default defineCommand({
  name: "audit:seal",
  summary: "Seal a signed checkpoint of the access log at its current head (needs accessLog.seal).",
  options: {
    operator: { type: "string", description: "Staff e-mail with accessLog.seal (required; named in the log)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "accessLog.seal");
    const { sealed, checkpoint } = await sealCheckpoint(actor);
    printJson({
      sealed,
      checkpoint: checkpoint && {
        seq: checkpoint.seq,
        hash: checkpoint.hash,
        sealedAt: checkpoint.sealedAt.toISOString(),
        keyId: checkpoint.keyId,
        publicKey: checkpoint.publicKey,
        sealedBy: checkpoint.sealedBy,
      },
      publicKeyFile: publicKeyFileFor(env().checkpointKeyFile),
    });
    if (!sealed) console.error("Nothing new since the last checkpoint; nothing sealed.");
    return 0;
  },
});
