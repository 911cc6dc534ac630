import fs from "node:fs";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { SerialBetterSqlite3, SQLITE_TRANSACTIONS } from "@/lib/db-sqlite-serial";
import { PrismaClient } from "@/lib/generated/console/client";
import { PrismaClient as PgPrismaClient } from "@/lib/generated/console-pg/client";
import { env } from "@/lib/env";

// The console's own database: SQLite by default, PostgreSQL when CONSOLE_DATABASE_URL is a
// postgres URL. Both generated clients come from the same models (prisma/console*/schema.prisma,
// kept identical by a test), so the SQLite client's type describes both. This is the only file
// that constructs a console PrismaClient.

export type ConsoleDb = PrismaClient;
/** The client handed to `$transaction(async (tx) => ...)` callbacks. */
export type ConsoleTx = Parameters<Parameters<ConsoleDb["$transaction"]>[0]>[0] extends infer T
  ? T extends (...args: never[]) => unknown
    ? never
    : Omit<ConsoleDb, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">
  : never;

export function sqlitePathFromUrl(url: string): string {
  return url.replace(/^file:/, "");
}

const sqliteFiles = new WeakMap<object, string>();

/** The SQLite file behind a client made by createConsoleDb (not a transaction's client): read-only fast paths. */
export function sqliteFileOf(client: object): string | null {
  return sqliteFiles.get(client) ?? null;
}

export function createConsoleDb(url: string): ConsoleDb {
  if (url.startsWith("file:")) {
    const file = sqlitePathFromUrl(url);
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    // One connection, taken one caller at a time (db-sqlite-serial.ts): starting a transaction means
    // waiting for the callers ahead, which under load (a bulk erasure's lanes beside the pages)
    // can pass Prisma's default 2 s maxWait and fail the caller for nothing. The waits are this
    // process's own, on its own database (never Sydent's).
    const client = new PrismaClient({ adapter: new SerialBetterSqlite3({ url: file, timeout: 5000 }), transactionOptions: SQLITE_TRANSACTIONS });
    sqliteFiles.set(client, path.resolve(file));
    return client;
  }
  return new PgPrismaClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as ConsoleDb;
}

const globalForDb = globalThis as unknown as { custodianDb?: ConsoleDb; custodianDbUrl?: string };

/** The shared console client (cached on globalThis so dev hot reload does not open more). */
export function db(): ConsoleDb {
  const url = env().CONSOLE_DATABASE_URL;
  if (!globalForDb.custodianDb || globalForDb.custodianDbUrl !== url) {
    globalForDb.custodianDb = createConsoleDb(url);
    globalForDb.custodianDbUrl = url;
  }
  return globalForDb.custodianDb;
}

/** Tests point the shared client at another database. */
export async function resetDb(): Promise<void> {
  await globalForDb.custodianDb?.$disconnect();
  globalForDb.custodianDb = undefined;
  globalForDb.custodianDbUrl = undefined;
}
