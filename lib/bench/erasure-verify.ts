import Database from "better-sqlite3";

// The erasure benchmark's after-check, in plain SQL on fresh read-only connections (not through
// Custodian): for a sample of erased subjects, no global binding of their 3PIDs or Matrix IDs and
// no bound local row is left on either server. Local rows with mxid NULL are tombstones (still
// owed to peers until phase 2 prunes them) and are counted separately. Counts only: no identifier
// leaves this function.

export type ErasedSample = { emails: string[]; msisdns: string[]; mxids: string[] };

export type ErasureVerification = {
  sampled: number;
  /** boundLocal: bound local rows found by 3PID plus those found by Matrix ID (a row may count twice; only zero matters). */
  servers: { label: string; globalBy3pid: number; globalByMxid: number; boundLocal: number; tombstones: number }[];
  /** True when every server's three leftover counts are zero. */
  ok: boolean;
};

export function verifyErased(servers: { label: string; dbPath: string }[], sample: ErasedSample[]): ErasureVerification {
  const threepids = sample.flatMap((s) => [...s.emails.map((a) => ["email", a] as const), ...s.msisdns.map((a) => ["msisdn", a] as const)]);
  const mxids = [...new Set(sample.flatMap((s) => s.mxids))];
  const out: ErasureVerification["servers"] = [];
  for (const s of servers) {
    const d = new Database(s.dbPath, { readonly: true, fileMustExist: true });
    try {
      const global3 = d.prepare("SELECT count(*) AS n FROM global_threepid_associations WHERE medium = ? AND address = ?");
      const local3 = d.prepare("SELECT count(mxid) AS bound, count(*) - count(mxid) AS tomb FROM local_threepid_associations WHERE medium = ? AND address = ?");
      let globalBy3pid = 0;
      let boundLocal = 0;
      let tombstones = 0;
      for (const [m, a] of threepids) {
        globalBy3pid += (global3.get(m, a) as { n: number }).n;
        const l = local3.get(m, a) as { bound: number; tomb: number };
        boundLocal += l.bound;
        tombstones += l.tomb;
      }
      // Matrix IDs are not indexed in Sydent: one full scan per table for the whole sample.
      let globalByMxid = 0;
      if (mxids.length) {
        const marks = mxids.map(() => "?").join(", ");
        globalByMxid = (d.prepare(`SELECT count(*) AS n FROM global_threepid_associations WHERE mxid IN (${marks})`).get(...mxids) as { n: number }).n;
        boundLocal += (d.prepare(`SELECT count(*) AS n FROM local_threepid_associations WHERE mxid IN (${marks})`).get(...mxids) as { n: number }).n;
      }
      out.push({ label: s.label, globalBy3pid, globalByMxid, boundLocal, tombstones });
    } finally {
      d.close();
    }
  }
  return { sampled: sample.length, servers: out, ok: out.every((x) => x.globalBy3pid === 0 && x.globalByMxid === 0 && x.boundLocal === 0) };
}
