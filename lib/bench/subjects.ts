import Database from "better-sqlite3";
import { createRng } from "@/lib/demo/prng";
import type { Medium } from "@/lib/sydent/normalise";

// Picks real, varied subjects from the generated databases with a seeded PRNG: random bound
// local rows (mxid not null) of each medium, alternating between the servers. The same seed and
// databases give the same subjects, so two runs time the same work.

export type BenchSubjects = { email: string[]; msisdn: string[]; mxid: string[] };

type Row = { medium: Medium; address: string; mxid: string | null };

function pickFrom(file: string, count: number, medium: Medium, rng: ReturnType<typeof createRng>): Row[] {
  const d = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const { lo, hi } = d.prepare("SELECT min(id) AS lo, max(id) AS hi FROM local_threepid_associations").get() as { lo: number | null; hi: number | null };
    if (lo === null || hi === null) return [];
    const byId = d.prepare("SELECT medium, address, mxid FROM local_threepid_associations WHERE id = ?");
    const out: Row[] = [];
    const seen = new Set<string>();
    for (let tries = 0; out.length < count && tries < count * 200; tries++) {
      const row = byId.get(rng.int(lo, hi)) as Row | undefined;
      if (!row || row.mxid === null || row.medium !== medium || seen.has(row.address)) continue;
      seen.add(row.address);
      out.push(row);
    }
    return out;
  } finally {
    d.close();
  }
}

export function pickSubjects(dbFiles: string[], perKind: number, seed: string): BenchSubjects {
  const rng = createRng(seed, "bench-subjects");
  const per = Math.ceil(perKind / dbFiles.length);
  const emails = dbFiles.map((f) => pickFrom(f, per, "email", rng));
  const msisdns = dbFiles.map((f) => pickFrom(f, per, "msisdn", rng));
  // Alternate servers: subject i comes from server i % n.
  const interleave = (lists: Row[][]) => {
    const out: Row[] = [];
    for (let i = 0; out.length < perKind && i < per; i++) for (const l of lists) if (l[i] && out.length < perKind) out.push(l[i]);
    return out;
  };
  const e = interleave(emails);
  const m = interleave(msisdns);
  // Matrix IDs: the bound mxids of other random rows (both media), so they differ from the 3PID set.
  const mixed = (f: string) => {
    const a = pickFrom(f, per, "email", rng);
    const b = pickFrom(f, per, "msisdn", rng);
    return a.flatMap((r, i) => (b[i] ? [r, b[i]] : [r]));
  };
  const mx = interleave(dbFiles.map(mixed));
  return { email: e.map((r) => r.address), msisdn: m.map((r) => r.address), mxid: [...new Set(mx.map((r) => r.mxid!))] };
}
