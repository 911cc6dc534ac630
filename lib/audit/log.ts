import { db, type ConsoleTx } from "@/lib/db";
import { entryHash, type ChainFields } from "@/lib/audit/chain";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import type { AccessLogInput } from "@/lib/audit/types";

// Writing the access log. Each entry is appended inside a transaction that first bumps the
// single AccessLogHead row: that row write serialises concurrent writers (SQLite's write lock,
// PostgreSQL's row lock), so seq has no gaps and each entry's prevHash is its predecessor's hash.
// Changes to the console's own data pass their transaction in, so change and entry commit together.

function toChainFields(input: AccessLogInput, seq: number, prevHash: string): ChainFields {
  const t = input.target;
  const isPersonal = t && "value" in t;
  return {
    seq,
    at: input.at ?? new Date(),
    actorId: input.actor.id,
    actorLabel: input.actor.label,
    actorRole: input.actor.role,
    action: input.action,
    targetType: t?.type ?? null,
    targetPseudonym: isPersonal ? pseudonymFor(t.type, t.value) : null,
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

/** Appends one entry inside the caller's transaction. */
export async function appendAccessLog(tx: ConsoleTx, input: AccessLogInput): Promise<{ seq: number; hash: string }> {
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

/** Appends one entry in its own transaction (views, searches, denied attempts). */
export async function recordAccess(input: AccessLogInput): Promise<{ seq: number; hash: string }> {
  return db().$transaction((tx) => appendAccessLog(tx, input));
}

/** Runs a change to console data and its access-log entry in one transaction. */
export async function withAccessLog<T>(
  input: AccessLogInput | ((result: T) => AccessLogInput),
  change: (tx: ConsoleTx) => Promise<T>,
): Promise<T> {
  return db().$transaction(async (tx) => {
    const result = await change(tx);
    await appendAccessLog(tx, typeof input === "function" ? input(result) : input);
    return result;
  });
}
