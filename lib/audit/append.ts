import type { ConsoleTx } from "@/lib/db";
import { entryHash, type ChainFields } from "@/lib/audit/chain";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import type { AccessLogInput } from "@/lib/audit/types";

// The raw append, without auto-sealing (lib/audit/log.ts adds that). Kept apart so the sealing
// code (lib/audit/checkpoint.ts) can append its own "accessLog.seal" entry without recursion.

export function toChainFields(input: AccessLogInput, seq: number, prevHash: string): ChainFields {
  const t = input.target;
  const targetPseudonym = !t ? null : "value" in t ? pseudonymFor(t.type, t.value) : "pseudonym" in t ? t.pseudonym : null;
  return {
    seq,
    at: input.at ?? new Date(),
    actorId: input.actor.id,
    actorLabel: input.actor.label,
    actorRole: input.actor.role,
    action: input.action,
    targetType: t?.type ?? null,
    targetPseudonym,
    targetRef: t && "ref" in t ? t.ref : null,
    requestId: input.requestId ?? null,
    purpose: input.purpose ?? null,
    outcome: input.outcome,
    ip: input.actor.ip ?? null,
    userAgent: input.actor.userAgent ? input.actor.userAgent.slice(0, 512) : null,
    details: input.details ? JSON.stringify(input.details) : null,
    prevHash,
  };
}

/** Takes the log's write lock: every writer's first statement, so writers queue instead of racing. */
export async function lockAccessLogHead(tx: ConsoleTx): Promise<void> {
  await tx.$executeRaw`UPDATE "AccessLogHead" SET "seq" = "seq" WHERE "id" = 1`;
}

/** Appends one entry inside the caller's transaction (no auto-seal). */
export async function appendEntry(tx: ConsoleTx, input: AccessLogInput): Promise<{ seq: number; hash: string }> {
  // Claim the next seq by writing the head row first (takes the write lock before reading).
  await tx.$executeRaw`UPDATE "AccessLogHead" SET "seq" = "seq" + 1 WHERE "id" = 1`;
  // head.hash is still the previous entry's hash (genesis: 64 zeros) until the update below.
  const head = await tx.accessLogHead.findUniqueOrThrow({ where: { id: 1 } });
  const fields = toChainFields(input, head.seq, head.hash);
  const hash = entryHash(fields);
  await tx.accessLogEntry.create({ data: { ...fields, hash } });
  await tx.accessLogHead.update({ where: { id: 1 }, data: { hash } });
  return { seq: fields.seq, hash };
}
