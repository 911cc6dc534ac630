import Database from "better-sqlite3";
import type { ChainFields } from "@/lib/audit/chain";

// Fast path for SQLite console databases: audit:verify and audit:witness stream entries straight
// from better-sqlite3 (one read transaction, no per-row ORM work), about 10x Prisma's paged reads.
// DateTime columns: Prisma's SQLite adapter may store unix milliseconds or ISO text; both are read.

const toDate = (v: unknown): Date => (typeof v === "number" || typeof v === "bigint" ? new Date(Number(v)) : new Date(String(v)));

export function* sqliteEntries(file: string): Generator<ChainFields & { hash: string }> {
  const conn = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const stmt = conn.prepare(`SELECT "seq","at","actorId","actorLabel","actorRole","action","targetType","targetPseudonym","targetRef","requestId","purpose","outcome","ip","userAgent","details","prevHash","hash" FROM "AccessLogEntry" ORDER BY "seq"`);
    for (const r of stmt.iterate() as Iterable<Record<string, unknown>>) {
      yield { ...(r as unknown as ChainFields & { hash: string }), seq: Number(r.seq), at: toDate(r.at) };
    }
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
