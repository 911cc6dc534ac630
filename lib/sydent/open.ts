import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient as SydentPrismaClient } from "@/lib/generated/sydent/client";
import { env } from "@/lib/env";

// Connections to registered Sydent SQLite files, one per (file, mode), cached across requests.
// Rules for every caller (sydent.md section 1): Sydent uses rollback-journal mode with a 5 s busy
// timeout, so a long read blocks its writes. Use single autocommit statements (no read
// transactions), never change the journal mode, never touch the schema. Reads go through
// read-only connections; only the erasure work may ask for a writable one.

export type SydentClient = SydentPrismaClient;
export type OpenOptions = { readonly?: boolean; busyTimeoutMs?: number };

type Cached<T> = { handle: T; ino: number; close: () => Promise<void> | void };
const g = globalThis as unknown as {
  custodianSydentRaw?: Map<string, Cached<Database.Database>>;
  custodianSydentPrisma?: Map<string, Cached<SydentClient>>;
};
const rawCache = (g.custodianSydentRaw ??= new Map());
const prismaCache = (g.custodianSydentPrisma ??= new Map());

export function busyTimeoutMs(opts?: OpenOptions): number {
  return opts?.busyTimeoutMs ?? env().CUSTODIAN_SYDENT_BUSY_TIMEOUT_MS;
}

function cacheKey(file: string, opts?: OpenOptions): string {
  return `${opts?.readonly === false ? "rw" : "ro"}:${busyTimeoutMs(opts)}:${path.resolve(file)}`;
}

/** Returns the cached handle unless the file was replaced (new inode) or removed. */
function cached<T>(cache: Map<string, Cached<T>>, key: string, file: string, open: () => Cached<T>): T {
  const hit = cache.get(key);
  let ino: number | null = null;
  try {
    ino = fs.statSync(file).ino;
  } catch {
    ino = null;
  }
  if (hit && hit.ino === ino) return hit.handle;
  if (hit) {
    cache.delete(key);
    void hit.close();
  }
  const fresh = open();
  cache.set(key, fresh);
  return fresh.handle;
}

function rawOptions(file: string, opts?: OpenOptions): Database.Options {
  return { readonly: opts?.readonly !== false, fileMustExist: true, timeout: busyTimeoutMs(opts) };
}

/** A better-sqlite3 connection (read-only unless readonly: false). Throws like better-sqlite3. */
export function sydentRaw(file: string, opts?: OpenOptions): Database.Database {
  return cached(rawCache, cacheKey(file, opts), file, () => {
    const handle = new Database(file, rawOptions(file, opts));
    return { handle, ino: fs.statSync(file).ino, close: () => void handle.close() };
  });
}

/** The Prisma client for a Sydent file (read-only unless readonly: false). */
export function sydentPrisma(file: string, opts?: OpenOptions): SydentClient {
  return cached(prismaCache, cacheKey(file, opts), file, () => {
    const adapter = new PrismaBetterSqlite3({ url: file, ...rawOptions(file, opts) });
    const handle = new SydentPrismaClient({ adapter });
    return { handle, ino: fs.statSync(file).ino, close: () => handle.$disconnect() };
  });
}

/** Closes cached connections (all, or those for one file). Tests and shutdown use it. */
export async function closeSydent(file?: string): Promise<void> {
  const wanted = file ? path.resolve(file) : null;
  for (const cache of [rawCache, prismaCache] as Map<string, Cached<unknown>>[]) {
    for (const [key, entry] of cache) {
      if (wanted && !key.endsWith(`:${wanted}`)) continue;
      cache.delete(key);
      await entry.close();
    }
  }
}
