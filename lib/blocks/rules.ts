import { z } from "zod";
import { identifierInText } from "@/lib/free-text";
import { BLOCK_KINDS, BLOCK_SCOPES, ipRange, parseBlockTarget, rangeContains, type BlockKind, type BlockScope } from "@/lib/blocks/targets";
import { protectedSourceHit, type ProtectedSource } from "@/lib/blocks/protected";

// The rules for a block, before anything is written: target grammar, expiry window, reason,
// breadth (broad blocks need a second person), protected sources and homeservers, overlaps.

export const MAX_BLOCK_DAYS = 180;
const DAY = 86_400_000;

export const reasonSchema = z
  .string()
  .trim()
  .min(10, "Give a reason of at least 10 characters (what abuse, seen where).")
  .max(500, "Keep the reason under 500 characters.")
  .refine((v) => identifierInText(v) === null, "Describe the abuse without e-mail addresses, phone numbers or Matrix IDs (the reason is shown to other staff).");

export const createBlockSchema = z.object({
  kind: z.enum(BLOCK_KINDS, { message: `Choose a kind: ${BLOCK_KINDS.join(", ")}.` }),
  target: z.string().max(400, "Too long for a block target."),
  scope: z.enum(BLOCK_SCOPES, { message: `Choose a scope: ${BLOCK_SCOPES.join(", ")}.` }),
  reason: reasonSchema,
  expiresAt: z.coerce.date({ message: "Give an expiry date and time." }),
});
export type CreateBlockInput = z.input<typeof createBlockSchema>;

export type RuleProblem = { field: "kind" | "target" | "scope" | "reason" | "expiresAt"; message: string };

/** Expiry must be in the future and at most 180 days from now. */
export function expiryProblem(expiresAt: Date, now: Date): string | null {
  if (Number.isNaN(expiresAt.getTime())) return "Give a valid expiry date and time.";
  if (expiresAt.getTime() <= now.getTime()) return "The expiry is in the past: a block must end in the future.";
  if (expiresAt.getTime() > now.getTime() + MAX_BLOCK_DAYS * DAY) return `A block lasts at most ${MAX_BLOCK_DAYS} days; choose an earlier expiry (renew it later with a new reason).`;
  return null;
}

/** Broad blocks (wider than /16 or /48, a whole e-mail domain, a whole homeserver) need a second person. */
export function isBroad(kind: BlockKind, ip?: { family: "ipv4" | "ipv6"; bits: number }): boolean {
  if (kind === "domain" || kind === "homeserver") return true;
  if (kind === "ip" && ip) return ip.family === "ipv4" ? ip.bits < 16 : ip.bits < 48;
  return false;
}

export type ExistingBlock = { id: string; kind: string; value: string; scope: string; state: string };

/** Blocks that overlap the new one: IP ranges containing or inside it; same target, other scope. */
export function overlapsOf(kind: BlockKind, value: string, existing: ExistingBlock[]): { id: string; value: string; scope: string; relation: string }[] {
  const out: { id: string; value: string; scope: string; relation: string }[] = [];
  // Each range parsed once (100,000 blocks: a scan of numbers, not 400,000 CIDR parses).
  const mine = kind === "ip" ? ipRange(value) : null;
  for (const b of existing) {
    if (b.kind !== kind) {
      if (kind === "email" && b.kind === "domain" && value.endsWith(`@${b.value}`)) out.push({ id: b.id, value: b.value, scope: b.scope, relation: "its domain is blocked" });
      if (kind === "domain" && b.kind === "email" && b.value.endsWith(`@${value}`)) out.push({ id: b.id, value: b.value, scope: b.scope, relation: "an address inside this domain is blocked" });
      continue;
    }
    if (b.value === value) {
      out.push({ id: b.id, value: b.value, scope: b.scope, relation: "same target" });
      continue;
    }
    if (!mine) continue;
    const theirs = ipRange(b.value);
    if (rangeContains(theirs, mine)) out.push({ id: b.id, value: b.value, scope: b.scope, relation: "inside an existing range" });
    else if (rangeContains(mine, theirs)) out.push({ id: b.id, value: b.value, scope: b.scope, relation: "contains an existing block" });
  }
  return out;
}

export type CheckedBlock = { kind: BlockKind; value: string; scope: BlockScope; reason: string; expiresAt: Date; broad: boolean };

/** Parses and checks a new block; every problem is returned, nothing is written. */
export function checkNewBlock(
  input: unknown,
  ctx: { now: Date; protectedSources: ProtectedSource[]; protectedHomeservers: string[]; existing: ExistingBlock[] },
): { ok: true; block: CheckedBlock } | { ok: false; problems: RuleProblem[] } {
  const parsed = createBlockSchema.safeParse(input);
  const problems: RuleProblem[] = [];
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push({ field: (i.path[0] as RuleProblem["field"]) ?? "target", message: i.message });
    return { ok: false, problems };
  }
  const d = parsed.data;
  const t = parseBlockTarget(d.kind, d.target);
  if (!t.ok) problems.push({ field: "target", message: t.message });
  const exp = expiryProblem(d.expiresAt, ctx.now);
  if (exp) problems.push({ field: "expiresAt", message: exp });
  if (t.ok && t.kind === "ip") {
    const hit = protectedSourceHit(t.value, ctx.protectedSources);
    if (hit) problems.push({ field: "target", message: `Refused: this would block ${hit.why} (${hit.value}).` });
  }
  if (t.ok && t.kind === "homeserver" && ctx.protectedHomeservers.includes(t.value)) {
    problems.push({ field: "target", message: "Refused: this homeserver is protected (CUSTODIAN_BLOCKS_PROTECTED_HOMESERVERS)." });
  }
  if (t.ok && t.kind === "mxid") {
    const server = t.value.slice(t.value.indexOf(":") + 1).toLowerCase();
    if (ctx.protectedHomeservers.includes(server)) problems.push({ field: "target", message: "Refused: the Matrix ID is on a protected homeserver." });
  }
  if (t.ok) {
    const dup = ctx.existing.find((b) => b.kind === t.kind && b.value === t.value && b.scope === d.scope && (b.state === "active" || b.state === "pending"));
    if (dup) problems.push({ field: "target", message: `This target is already blocked with this scope (block ${dup.id}); renew that block instead.` });
  }
  if (problems.length || !t.ok) return { ok: false, problems };
  return { ok: true, block: { kind: t.kind, value: t.value, scope: d.scope, reason: d.reason, expiresAt: d.expiresAt, broad: isBroad(t.kind, t.ip) } };
}
