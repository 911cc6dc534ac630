import crypto from "node:crypto";
import { db } from "@/lib/db";
import { recordAccess } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";

// Sampling for the auditor: N requests picked at random, reproducibly. Each request's rank is
// SHA-256("<seed>:<request id>") and the N smallest ranks are taken, so anyone with the seed and
// the register's ids gets the same sample, and adding requests later does not reshuffle the old
// ones. Every sample is recorded in the access log (action audit.sample: seed, N, ids).
// The register is shown without personal data: reference, type, state, dates.

export type SampledRequest = { id: string; reference: string; type: string; state: string; receivedAt: string; closedAt: string | null };
export type Sample = { seed: string; n: number; population: number; requests: SampledRequest[] };

export const rankOf = (seed: string, id: string) => crypto.createHash("sha256").update(`${seed}:${id}`).digest("hex");

export function newSeed(): string {
  return crypto.randomBytes(8).toString("hex");
}

export async function drawSample(seed: string, n: number): Promise<Sample> {
  const all = await db().request.findMany({ select: { id: true, reference: true, type: true, state: true, receivedAt: true, closedAt: true } });
  const picked = all
    .map((r) => ({ r, rank: rankOf(seed, r.id) }))
    .sort((a, b) => a.rank.localeCompare(b.rank))
    .slice(0, n)
    .map(({ r }) => ({ id: r.id, reference: r.reference, type: r.type, state: r.state, receivedAt: r.receivedAt.toISOString(), closedAt: r.closedAt?.toISOString() ?? null }));
  return { seed, n, population: all.length, requests: picked };
}

/** Draws and records the sample (access log: audit.sample). */
export async function sampleRequests(actor: Actor, seed: string, n: number): Promise<Sample> {
  const s = await drawSample(seed, n);
  await recordAccess({ actor, action: "audit.sample", outcome: "ok", details: { seed, n, population: s.population, requestIds: s.requests.map((r) => r.id) } });
  return s;
}

export type TrailEntry = {
  seq: number; at: string; actorLabel: string; actorRole: string; action: string; targetType: string | null; targetPseudonym: string | null;
  targetRef: string | null; requestId: string | null; purpose: string | null; outcome: string; details: string | null; hash: string;
};

/** A request's whole trail: every entry naming it (requestId, or the request as target), in log order. */
export async function requestTrail(requestId: string) {
  const rows = await db().accessLogEntry.findMany({
    where: { OR: [{ requestId }, { targetType: "request", targetRef: requestId }] },
    orderBy: { seq: "asc" },
  });
  return rows;
}
