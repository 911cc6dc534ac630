import { db } from "@/lib/db";
import type { Snapshot } from "@/lib/erasure/ops-db";

// Engine helpers (engine.ts): the lease heartbeat during a step, and the ids a step recorded.

/** Default lease (engine.ts LEASE_MS re-exports it). */
export const LEASE_MS = 60_000;
type LeaseOptions = { heartbeatMs?: number; onHeartbeat?: () => void };

/** The ids an earlier attempt of a step recorded before writing ({prior} while the step is not done). */
export function priorOf(result: string | null): Snapshot | undefined {
  if (!result) return undefined;
  try {
    const p = (JSON.parse(result) as { prior?: Snapshot }).prior;
    return p && typeof p === "object" ? p : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Lease refresh DURING a step (a long verify, log scrub or a delete of many chunks can exceed the
 * lease): a timer every heartbeatMs, plus `beat()` between write chunks. Only a job still owned
 * (running, or in phase 2) is touched.
 */
export function heartbeat(jobId: string, opts: LeaseOptions): { beat: (force?: boolean) => Promise<void>; stop: () => void } {
  const every = opts.heartbeatMs ?? LEASE_MS / 4;
  let last = Date.now();
  const beat = async (force = false) => {
    if (!force && Date.now() - last < every) return;
    last = Date.now();
    await db().erasureJob.updateMany({ where: { id: jobId, state: { in: ["running", "phase2_pending"] } }, data: { updatedAt: new Date() } });
    opts.onHeartbeat?.();
  };
  const timer = setInterval(() => void beat().catch(() => {}), Math.max(every, 1000));
  timer.unref?.();
  return { beat, stop: () => clearInterval(timer) };
}


export type LeaseHeld = { heldBy: string | null; lastHeartbeat: string; leaseEndsAt: string; message: string };

/**
 * A running job whose lease is still valid belongs to another runner (possibly a dead process:
 * its lease then simply lapses). Returns who holds it and when the lease ends, or null.
 */
export async function leaseHeld(jobId: string, now = new Date(), leaseMs = LEASE_MS): Promise<LeaseHeld | null> {
  const job = await db().erasureJob.findUnique({ where: { id: jobId }, select: { state: true, updatedAt: true, executedById: true } });
  if (!job || job.state !== "running") return null;
  const ends = new Date(job.updatedAt.getTime() + leaseMs);
  if (ends <= now) return null;
  const who = job.executedById ? (await db().staff.findUnique({ where: { id: job.executedById }, select: { email: true } }))?.email ?? null : null;
  return {
    heldBy: who,
    lastHeartbeat: job.updatedAt.toISOString(),
    leaseEndsAt: ends.toISOString(),
    message: `Not resumed: another run holds this job's lease (run by ${who ?? "an unknown operator"}, last heartbeat ${job.updatedAt.toISOString()}). If that process is still working it will finish the job; if it died, its lease ends at ${ends.toISOString()}: resume after that.`,
  };
}
