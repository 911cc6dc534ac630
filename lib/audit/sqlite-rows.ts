import Database from "better-sqlite3";
import type { ChainFields } from "@/lib/audit/chain";

// SQLite rows of the access log read without the ORM: audit:verify's and audit:witness's
// sequential paths (and the entries the parallel fast path, lib/audit/verify-chunk.mjs, leaves to
// the reference serialiser). DateTime columns: Prisma's SQLite adapter may store unix
// milliseconds or ISO text; both are read.

export const toDate = (v: unknown): Date => (typeof v === "number" || typeof v === "bigint" ? new Date(Number(v)) : new Date(String(v)));

export const ENTRY_COLUMNS = `"seq","at","actorId","actorLabel","actorRole","action","targetType","targetPseudonym","targetRef","requestId","purpose","outcome","ip","userAgent","details","prevHash","hash"`;

/** A row of ENTRY_COLUMNS as verification sees it. */
export function toEntryRow(r: Record<string, unknown>): ChainFields & { hash: string } {
  return { ...(r as unknown as ChainFields & { hash: string }), seq: Number(r.seq), at: toDate(r.at) };
}

export function* sqliteEntries(file: string): Generator<ChainFields & { hash: string }> {
  const conn = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const stmt = conn.prepare(`SELECT ${ENTRY_COLUMNS} FROM "AccessLogEntry" ORDER BY "seq"`);
    for (const r of stmt.iterate() as Iterable<Record<string, unknown>>) yield toEntryRow(r);
  } finally {
    conn.close();
  }
}

export function* sqliteEntryHashes(file: string): Generator<{ seq: number; hash: string }> {
  const conn = new Database(file, { readonly: true, fileMustExist: true });
  try {
    for (const r of conn.prepare(`SELECT "seq","hash" FROM "AccessLogEntry" ORDER BY "seq"`).raw().iterate() as Iterable<[number, string]>) {
      yield { seq: Number(r[0]), hash: r[1] };
    }
  } finally {
    conn.close();
  }
}
