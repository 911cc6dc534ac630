// Person locks for a bulk page's concurrent jobs (bulk-run.ts). API:
//   const locks = new PersonLocks(); const release = await locks.acquire(keys); ... release();
//   personKeys(ids, plan) -> keys: the subject's 3PIDs and Matrix IDs, and every other person
//                            the plan touches (rows embedding the subject: their 3PID and Matrix ID)
// acquire takes ALL its keys at once or waits (never some of them), so two jobs cannot deadlock,
// and two jobs that share a person (the same person named by two rows, or one job's bystander being
// another job's subject) never write at the same time: the later one re-reads Sydent's rows
// after the earlier one's unbinds and re-issues (unbindViaApi, rebindBystanders, being-erased.ts).

import type { ErasurePlan } from "@/lib/erasure/plan";
import type { SubjectIds } from "@/lib/erasure/verify";
import { normaliseIdentifier } from "@/lib/sydent/normalise";

export class PersonLocks {
  private readonly held = new Set<string>();
  private waiters: (() => void)[] = [];

  async acquire(keys: string[]): Promise<() => void> {
    const mine = [...new Set(keys)];
    while (mine.some((k) => this.held.has(k))) await new Promise<void>((r) => this.waiters.push(r));
    for (const k of mine) this.held.add(k);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      for (const k of mine) this.held.delete(k);
      const w = this.waiters;
      this.waiters = [];
      for (const wake of w) wake();
    };
  }

  get size(): number {
    return this.held.size;
  }
}

const k = (medium: string, value: string) => {
  try {
    return `${medium}:${normaliseIdentifier(medium as "email" | "msisdn" | "mxid", value)}`;
  } catch {
    return `${medium}:${value}`;
  }
};

export function personKeys(ids: Partial<SubjectIds>, plan: ErasurePlan | null): string[] {
  const keys = [...(ids.emails ?? []).map((a) => k("email", a)), ...(ids.msisdns ?? []).map((a) => k("msisdn", a)), ...(ids.mxids ?? []).map((m) => k("mxid", m))];
  for (const s of plan?.servers ?? []) for (const e of s.embedding ?? []) keys.push(k(e.medium, e.address), k("mxid", e.mxid));
  return [...new Set(keys)];
}
