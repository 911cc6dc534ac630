import type Database from "better-sqlite3";
import { timed, type Timing } from "@/lib/sydent/timing";

// Counts global_threepid_associations rows whose signed association (sgAssoc) carries a
// non-empty "invites" array: Sydent 2.5.0-2.7.0's leak of other people's pending invites
// (sydent.md 2.1). sgAssoc is the table's largest column, so the scan walks id ranges in short
// autocommit statements and yields between them: Sydent's writers never wait behind it.
// Sydent never updates sgAssoc in place (INSERT OR IGNORE / DELETE only), so a result is reused
// while the table's (min id, max id, row count) stay the same.

export const INVITE_SCAN_CHUNK = 5000;

const RANGE_SQL = `SELECT min(id) AS lo, max(id) AS hi, count(*) AS n FROM global_threepid_associations`;
const CHUNK_SQL = `SELECT count(*) AS n FROM global_threepid_associations
  WHERE id BETWEEN ? AND ? AND sgAssoc LIKE '%"invites"%'
    AND (CASE WHEN json_valid(sgAssoc) THEN coalesce(json_array_length(sgAssoc, '$.invites'), 0) ELSE 0 END) > 0`;

type Range = { lo: number | null; hi: number | null; n: number };
const g = globalThis as unknown as { custodianInviteScans?: Map<string, number> };
const results = (g.custodianInviteScans ??= new Map());

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function countSgAssocWithInvites(db: Database.Database, timings: Timing[], chunk = INVITE_SCAN_CHUNK): Promise<number> {
  const range = timed(timings, "sgAssoc id range", () => db.prepare(RANGE_SQL).get() as Range);
  if (range.lo === null || range.hi === null) return 0;
  const key = `${db.name}|${chunk}|${range.lo}|${range.hi}|${range.n}`;
  const known = results.get(key);
  if (known !== undefined) return known;
  const stmt = db.prepare(CHUNK_SQL);
  const chunkTimings: Timing[] = [];
  let total = 0;
  for (let lo = range.lo; lo <= range.hi; lo += chunk) {
    total += timed(chunkTimings, "sgAssoc invites chunk", () => (stmt.get(lo, lo + chunk - 1) as { n: number }).n);
    await tick();
  }
  const worst = Math.max(...chunkTimings.map((t) => t.ms));
  timings.push({ label: `sgAssoc invites (${chunkTimings.length} chunk(s), slowest)`, ms: worst });
  results.set(key, total);
  return total;
}
