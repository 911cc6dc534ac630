import { Mutex } from "async-mutex";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";

// One SQLite connection, one thing at a time. Prisma's better-sqlite3 adapter runs every query on
// a single connection and serialises only transactions against each other: a plain query sent
// while another caller's interactive transaction is open runs INSIDE that transaction, and is
// silently lost when it rolls back (lib/db-sqlite-serial.test.ts shows it). Two web requests, or a
// bulk run beside a page, are enough. This factory hands Prisma the same adapter with one more
// mutex around it: a plain query waits for an open transaction to end, and a transaction waits
// for the plain query in progress. Queries inside a transaction go through the transaction's own
// object and are not affected. PostgreSQL (a pool of connections) needs none of this.

type Adapter = Awaited<ReturnType<PrismaBetterSqlite3["connect"]>>;
type Tx = Awaited<ReturnType<Adapter["startTransaction"]>>;

function serialised(inner: Adapter): Adapter {
  const mutex = new Mutex();
  const wrapTx = (tx: Tx, release: () => void): Tx => {
    let released = false;
    const end = () => {
      if (!released) (released = true), release();
    };
    return new Proxy(tx, {
      get(target, prop, receiver) {
        if (prop === "commit" || prop === "rollback") {
          return async () => {
            try {
              await target[prop]();
            } finally {
              end();
            }
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  };
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === "queryRaw" || prop === "executeRaw" || prop === "executeScript") {
        return (arg: never) => mutex.runExclusive(() => (target[prop] as (a: never) => Promise<unknown>)(arg));
      }
      if (prop === "startTransaction") {
        return async (isolationLevel?: Parameters<Adapter["startTransaction"]>[0]) => {
          const release = await mutex.acquire();
          try {
            return wrapTx(await target.startTransaction(isolationLevel), release);
          } catch (e) {
            release();
            throw e;
          }
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

// Prepared statements, kept. The adapter prepares every query afresh (\`client.prepare(sql).bind(args)\`),
// and Prisma's SQL names every column: the erasure benchmark's profile had 7 % of the console's CPU
// in SQLite's prepare. The connection's prepare is given a cache by SQL text (least recently used
// dropped beyond STATEMENTS); what it returns takes the adapter's calls (bind, then run, or
// reader/columns/raw().all()) and passes the arguments on each call instead of binding them to the
// statement, which better-sqlite3 allows only once per statement. Every call runs to completion
// synchronously (run, all), so a statement is never in use twice; SQLite re-prepares a kept
// statement itself after a schema change.
const STATEMENTS = 500;
type Statement = { reader: boolean; run(args?: unknown[]): unknown; columns(): unknown[]; raw(on: boolean): { all(args?: unknown[]): unknown[] } };
type Connection = { prepare(sql: string): Statement };

/** Exported for its test: what the adapter's prepare returns. */
export function cachePrepared(conn: Connection, size = STATEMENTS): void {
  const prepare = conn.prepare.bind(conn);
  const kept = new Map<string, Statement>();
  const statement = (sql: string): Statement => {
    let st = kept.get(sql);
    if (st) kept.delete(sql);
    else {
      st = prepare(sql);
      if (kept.size >= size) kept.delete(kept.keys().next().value!);
    }
    kept.set(sql, st);
    return st;
  };
  const withArgs = (st: Statement, args: unknown[]) => ({
    reader: st.reader,
    run: () => st.run(args),
    columns: () => st.columns(),
    raw: () => ({ all: () => st.raw(true).all(args) }),
  });
  conn.prepare = ((sql: string) => {
    const st = statement(sql);
    return { ...withArgs(st, []), bind: (args: unknown[]) => withArgs(st, args) };
  }) as never;
}

/** PrismaBetterSqlite3, with every query and transaction on its connection taken one at a time, and its statements kept. */
export class SerialBetterSqlite3 extends PrismaBetterSqlite3 {
  override async connect(): Promise<Adapter> {
    const adapter = await super.connect();
    cachePrepared((adapter as unknown as { client: Connection }).client);
    return serialised(adapter);
  }
}

/** Interactive transactions on the console's SQLite file (lib/db.ts): how long to wait for the connection, and to run. */
export const SQLITE_TRANSACTIONS = { maxWait: 20_000, timeout: 30_000 } as const;
