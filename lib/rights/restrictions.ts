import { withAccessLog } from "@/lib/audit/log";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { identifierInText, identifierInTextMessage } from "@/lib/free-text";
import { encryptSecret } from "@/lib/keys";
import { maskIdentifier } from "@/lib/subjects/present-mask";
import { RESTRICTION_GROUND_LABELS, RESTRICTION_GROUNDS, type RestrictionGround } from "@/lib/rights/catalogue";

export { RESTRICTION_GROUND_LABELS, RESTRICTION_GROUNDS, type RestrictionGround };

// Restriction of processing (GDPR Art. 18). While a restriction is active for an identifier,
// Custodian flags the person in every search result and package and refuses to act on their data
// (erasure preview, approval, execution; package generation) other than to store it. The flag is
// keyed by the access-log pseudonym, so it is found whichever identifier of the person was typed.
// Sydent has no "hidden but kept" state that replicates (domain/sydent.md 2.7): the restriction
// lives in the console; the data stays in Sydent untouched.



export type PersonIdentifier = { type: "email" | "msisdn" | "mxid"; value: string };
export type ActiveRestriction = { id: string; masked: string; ground: RestrictionGround; since: Date; requestId: string | null };

export class RestrictedError extends Error {
  constructor(readonly restrictions: ActiveRestriction[]) {
    super(restrictedMessage(restrictions));
    this.name = "RestrictedError";
  }
}

export function restrictedMessage(r: ActiveRestriction[]): string {
  const first = r[0];
  return (
    `Processing of this person's data is restricted (${RESTRICTION_GROUND_LABELS[first.ground]}, since ` +
    `${first.since.toISOString().slice(0, 10)}): Custodian only stores it until the restriction is lifted.`
  );
}

/** Active restrictions for any of these pseudonyms (one per identifier). */
export async function activeRestrictions(pseudonyms: string[]): Promise<ActiveRestriction[]> {
  if (pseudonyms.length === 0) return [];
  const rows = await db().restriction.findMany({
    where: { pseudonym: { in: [...new Set(pseudonyms)] }, liftedAt: null },
    orderBy: { createdAt: "asc" },
    select: { id: true, masked: true, ground: true, createdAt: true, requestId: true },
  });
  return rows.map((r) => ({ id: r.id, masked: r.masked, ground: r.ground as RestrictionGround, since: r.createdAt, requestId: r.requestId }));
}

/** A person's identifiers as found (emails, msisdns, mxids) in the typed form the pseudonyms use. */
export function identifiersOf(ids: { emails: string[]; msisdns: string[]; mxids: string[] }): PersonIdentifier[] {
  return [
    ...ids.emails.map((value) => ({ type: "email" as const, value })),
    ...ids.msisdns.map((value) => ({ type: "msisdn" as const, value })),
    ...ids.mxids.map((value) => ({ type: "mxid" as const, value })),
  ];
}

export function pseudonymsOf(ids: PersonIdentifier[]): string[] {
  return ids.map((i) => pseudonymFor(i.type, i.value));
}

/** Throws RestrictedError when any identifier of the person is under an active restriction. */
export async function assertNotRestricted(ids: PersonIdentifier[]): Promise<void> {
  const active = await activeRestrictions(pseudonymsOf(ids));
  if (active.length > 0) throw new RestrictedError(active);
}

export type RestrictInput = { identifier: PersonIdentifier; ground: RestrictionGround; requestId?: string | null };

/** Starts a restriction (idempotent per identifier while active); logged under the person's pseudonym. */
export async function restrictProcessing(actor: Actor, input: RestrictInput): Promise<{ id: string; created: boolean }> {
  const { identifier, ground } = input;
  const pseudonym = pseudonymFor(identifier.type, identifier.value);
  return withAccessLog(
    (r: { id: string; created: boolean }) => ({
      actor, action: "restriction.create", target: { type: identifier.type, pseudonym }, requestId: input.requestId ?? null,
      outcome: "ok", details: { ground, restrictionId: r.id, alreadyActive: !r.created },
    }),
    async (tx) => {
      const existing = await tx.restriction.findFirst({ where: { pseudonym, liftedAt: null }, select: { id: true } });
      if (existing) return { id: existing.id, created: false };
      const row = await tx.restriction.create({
        data: {
          type: identifier.type, pseudonym, valueEnc: encryptSecret(identifier.value, "subject-identifier-v1"),
          masked: maskIdentifier(identifier.type, identifier.value), requestId: input.requestId ?? null, ground,
          createdById: actor.id ?? actor.label,
        },
      });
      return { id: row.id, created: true };
    },
  );
}

/** Lifts an active restriction with a reason (no identifiers in it: it goes into the log). */
export async function liftRestriction(actor: Actor, id: string, reason: string, now = new Date()): Promise<{ ok: true } | { ok: false; message: string }> {
  const text = reason.trim();
  if (text.length < 10) return { ok: false, message: "Give the reason for lifting the restriction in at least 10 characters." };
  const found = identifierInText(text);
  if (found) return { ok: false, message: identifierInTextMessage(found, "reason (it goes into the access log)") };
  const row = await db().restriction.findUnique({ where: { id } });
  if (!row) return { ok: false, message: "No such restriction." };
  if (row.liftedAt) return { ok: false, message: "This restriction was already lifted." };
  await withAccessLog(
    { actor, action: "restriction.lift", target: { type: row.type as PersonIdentifier["type"], pseudonym: row.pseudonym }, requestId: row.requestId, outcome: "ok", purpose: text, details: { restrictionId: id } },
    async (tx) => {
      const { count } = await tx.restriction.updateMany({ where: { id, liftedAt: null }, data: { liftedAt: now, liftedById: actor.id ?? actor.label, liftReason: text } });
      if (count !== 1) throw new Error("The restriction changed meanwhile.");
    },
  );
  return { ok: true };
}

/** Restrictions of one request (masked), for its page and the CLI. */
export async function listRestrictions(where: { requestId?: string; active?: boolean } = {}) {
  return db().restriction.findMany({
    where: { ...(where.requestId ? { requestId: where.requestId } : {}), ...(where.active ? { liftedAt: null } : {}) },
    orderBy: { createdAt: "desc" },
    select: { id: true, type: true, masked: true, ground: true, requestId: true, createdAt: true, liftedAt: true, liftReason: true },
  });
}
