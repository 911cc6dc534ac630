import Database from "better-sqlite3";
import { sqliteFileOf } from "@/lib/db";

// Read-only better-sqlite3 connections beside a console client's own, for reads that are small,
// frequent and latency-bound (proofs: a handful of index seeks each, where Prisma's round trip
// costs more than the query). Only for clients created by createConsoleDb on SQLite: a
// transaction's client has no file here, so whatever must see its own uncommitted writes keeps
// going through Prisma. At most a few files are kept open.

const MAX_OPEN = 4;
const open = new Map<string, { conn: Database.Database; stmts: Map<string, Database.Statement> }>();

function connection(file: string) {
  let c = open.get(file);
  if (!c) {
    if (open.size >= MAX_OPEN) {
      const [oldest, old] = open.entries().next().value!;
      old.conn.close();
      open.delete(oldest);
    }
    c = { conn: new Database(file, { readonly: true, fileMustExist: true }), stmts: new Map() };
    open.set(file, c);
  }
  return c;
}

export type SqliteReader = {
  all<T>(sql: string, ...params: unknown[]): T[];
  get<T>(sql: string, ...params: unknown[]): T | undefined;
  /** The first column of the first row. */
  value<T>(sql: string, ...params: unknown[]): T | undefined;
};

/** A reader of the client's SQLite file, or null (PostgreSQL, a transaction's client). */
export function sqliteReader(client: object): SqliteReader | null {
  const file = sqliteFileOf(client);
  if (!file) return null;
  const stmt = (sql: string, pluck = false) => {
    const c = connection(file);
    const key = (pluck ? "1" : "0") + sql;
    let s = c.stmts.get(key);
    if (!s) c.stmts.set(key, (s = c.conn.prepare(sql).pluck(pluck)));
    return s;
  };
  return {
    all: <T>(sql: string, ...params: unknown[]) => stmt(sql).all(...params) as T[],
    get: <T>(sql: string, ...params: unknown[]) => stmt(sql).get(...params) as T | undefined,
    value: <T>(sql: string, ...params: unknown[]) => stmt(sql, true).get(...params) as T | undefined,
  };
}
