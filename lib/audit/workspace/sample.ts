import crypto from "node:crypto";
import { db } from "@/lib/db";
import { recordAccess } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";

// Sampling for the auditor: N requests picked at random, reproducibly. The population is the
// requests registered (createdAt) up to a cut-off time, recorded with the sample (default: the
// moment it is drawn). Each request's rank is SHA-256("<seed>:<request id>") and the N smallest
// ranks are taken, so anyone with the seed, the cut-off and the register gets the same sample:
// requests registered after the cut-off are not in the population, so they cannot displace one.
// Drawing a sample is recorded in the access log (audit.sample: seed, N, cut-off, population,
// ids), once: the same person drawing the same seed, N and cut-off again within
// SAMPLE_REPEAT_WINDOW_MS (a reload, the back button) gets the entry already written.
// The register is shown without personal data: reference, type, state, dates.

export type SampledRequest = { id: string; reference: string; type: string; state: string; receivedAt: string; closedAt: string | null };
export type Sample = { seed: string; n: number; cutoff: string; population: number; requests: SampledRequest[] };

export const SAMPLE_REPEAT_WINDOW_MS = 10 * 60_000;

export const rankOf = (seed: string, id: string) => crypto.createHash("sha256").update(`${seed}:${id}`).digest("hex");

export function newSeed(): string {
  return crypto.randomBytes(8).toString("hex");
}

/** The sample of seed, n and cut-off (ISO text; the requests registered up to then). */
export async function drawSample(seed: string, n: number, cutoff: string): Promise<Sample> {
  const population = await db().request.findMany({ where: { createdAt: { lte: new Date(cutoff) } }, select: { id: true } });
  const ids = population
    .map((r) => ({ id: r.id, rank: rankOf(seed, r.id) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
    .slice(0, n)
    .map((r) => r.id);
  const rows = await db().request.findMany({
    where: { id: { in: ids } },
    select: { id: true, reference: true, type: true, state: true, receivedAt: true, closedAt: true },
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const requests = ids.flatMap((id) => {
    const r = byId.get(id);
    return r ? [{ id: r.id, reference: r.reference, type: r.type, state: r.state, receivedAt: r.receivedAt.toISOString(), closedAt: r.closedAt?.toISOString() ?? null }] : [];
  });
  return { seed, n, cutoff, population: population.length, requests };
}

const sameActor = (actor: Actor) => (actor.id ? { actorId: actor.id } : { actorId: null, actorLabel: actor.label });

/** The seq of this person's audit.sample entry for the same sample within the window, if any. */
async function recentRecord(actor: Actor, s: Pick<Sample, "seed" | "n" | "cutoff">, now: Date): Promise<number | null> {
  const recent = await db().accessLogEntry.findMany({
    where: { action: "audit.sample", outcome: "ok", ...sameActor(actor), at: { gte: new Date(now.getTime() - SAMPLE_REPEAT_WINDOW_MS) } },
    orderBy: { seq: "desc" },
    select: { seq: true, details: true },
    take: 50,
  });
  for (const e of recent) {
    try {
      const d = JSON.parse(e.details ?? "{}") as { seed?: unknown; n?: unknown; cutoff?: unknown };
      if (d.seed === s.seed && d.n === s.n && d.cutoff === s.cutoff) return e.seq;
    } catch {
      // Not ours to judge here: an unreadable entry is simply not a match.
    }
  }
  return null;
}

export type RecordedSample = { sample: Sample; seq: number; repeated: boolean };

/**
 * Draws and records the sample (access log: audit.sample). The same person repeating the same
 * seed, N and cut-off within the window is not recorded twice: `repeated` is then true and `seq`
 * is the earlier entry.
 */
export async function sampleRequests(actor: Actor, p: { seed: string; n: number; cutoff: string }, o: { now?: Date } = {}): Promise<RecordedSample> {
  const sample = await drawSample(p.seed, p.n, p.cutoff);
  const earlier = await recentRecord(actor, sample, o.now ?? new Date());
  if (earlier !== null) return { sample, seq: earlier, repeated: true };
  const { seq } = await recordAccess({
    actor, action: "audit.sample", outcome: "ok",
    details: { seed: sample.seed, n: sample.n, cutoff: sample.cutoff, population: sample.population, requestIds: sample.requests.map((r) => r.id) },
  });
  return { sample, seq, repeated: false };
}
