import type { ErasureStep } from "@/lib/generated/console/client";

// How a job's writes reached each server, for the receipt and the job page (no personal data):
// per server, the steps written through Sydent's internal API, waited out through replication,
// written directly while Sydent was proven stopped (with that proof), the steps still waiting and
// what for, and every lock wait and retry they met (ErasureStep.lockWaits/lockWaitMs/retries).

export type ServerWrites = {
  internalApi: number;
  replication: number;
  directWhileStopped: number;
  stoppedProof: string[];
  waiting: { seq: number; kind: string; waitingFor: string }[];
  lockWaits: number;
  lockWaitMs: number;
  retries: number;
  attempts: number;
};

type StepRow = Pick<ErasureStep, "seq" | "kind" | "state" | "result" | "waitingFor" | "lockWaits" | "lockWaitMs" | "retries" | "attempts">;

export function writesOf(steps: StepRow[]): ServerWrites {
  const w: ServerWrites = { internalApi: 0, replication: 0, directWhileStopped: 0, stoppedProof: [], waiting: [], lockWaits: 0, lockWaitMs: 0, retries: 0, attempts: 0 };
  for (const s of steps) {
    w.lockWaits += s.lockWaits;
    w.lockWaitMs += s.lockWaitMs;
    w.retries += s.retries;
    w.attempts += s.attempts;
    if (s.state === "waiting") w.waiting.push({ seq: s.seq, kind: s.kind, waitingFor: s.waitingFor ?? "" });
    if (s.state !== "done" || !s.result) continue;
    const r = JSON.parse(s.result) as { via?: string; proofStopped?: string[] };
    if (r.via === "internal-api") w.internalApi++;
    else if (r.via === "replication") w.replication++;
    else if (r.via === "direct-sql") {
      w.directWhileStopped++;
      for (const p of r.proofStopped ?? []) if (!w.stoppedProof.includes(p)) w.stoppedProof.push(p);
    }
  }
  return w;
}
