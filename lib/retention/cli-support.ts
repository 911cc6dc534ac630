import { UsageError } from "@/lib/cli/command";

/** --now: an ISO time not later than the clock (judging "as of later" would delete too early). */
export function parseNowOption(v: unknown, clock = new Date()): Date {
  if (v === undefined) return clock;
  const t = Date.parse(String(v));
  if (!Number.isFinite(t)) throw new UsageError(`--now must be an ISO time, not "${String(v)}".`);
  if (t > clock.getTime() + 60_000) throw new UsageError("--now may not be later than the clock: that would judge copies overdue before their time.");
  return new Date(t);
}
