import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { cachePrepared, SerialBetterSqlite3, SQLITE_TRANSACTIONS } from "@/lib/db-sqlite-serial";
import { PrismaClient } from "@/lib/generated/console/client";

// The console's SQLite client on one connection (lib/db-sqlite-serial.ts): another caller's plain
// query never lands inside an open transaction. Before, a write sent while a transaction was open
// ran inside it and vanished when that transaction rolled back, and a read saw its uncommitted rows.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-serial-"));
// The same construction as lib/db.ts createConsoleDb, on a scratch file of its own.
const client = new PrismaClient({ adapter: new SerialBetterSqlite3({ url: path.join(dir, "console.db"), timeout: 5000 }) });
afterAll(async () => {
  await client.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const values = async () => ((await client.$queryRawUnsafe("SELECT v FROM t ORDER BY id")) as { v: string }[]).map((r) => r.v);

/** Another caller's transaction that inserts `v`, then fails and rolls back; resolves once it is open. */
async function openFailingTransaction(v: string): Promise<{ failing: Promise<unknown> }> {
  let inside: () => void = () => {};
  const opened = new Promise<void>((r) => (inside = r));
  const failing = client.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`INSERT INTO t (v) VALUES ('${v}')`);
    inside();
    await sleep(100);
    throw new Error("abort on purpose");
  });
  await opened;
  await sleep(30);
  return { failing }; // wrapped: an async function returning the promise itself would wait for it
}

describe("the console's SQLite connection, one caller at a time", () => {
  it("a write made while another caller's transaction is open survives that transaction's rollback", async () => {
    await client.$executeRawUnsafe("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    const { failing } = await openFailingTransaction("rolled back");
    // Prisma's promises are lazy: then() sends the write now, while the transaction is open.
    const plain = client.$executeRawUnsafe("INSERT INTO t (v) VALUES ('kept')").then((n) => n);
    await expect(failing).rejects.toThrow("abort on purpose");
    await plain;
    expect(await values()).toEqual(["kept"]);
  });

  it("a read made while another caller's transaction is open sees only committed rows", async () => {
    const { failing } = await openFailingTransaction("never committed");
    const read = values();
    await expect(failing).rejects.toThrow("abort on purpose");
    expect(await read).toEqual(["kept"]);
  });

  it("transactions and plain writes interleaved from many callers all commit", async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) =>
      i % 2
        ? client.$transaction(async (tx) => {
          await tx.$executeRawUnsafe(`INSERT INTO t (v) VALUES ('tx ${i}')`);
          await sleep(5);
        })
        : client.$executeRawUnsafe(`INSERT INTO t (v) VALUES ('plain ${i}')`),
    ));
    expect((await values()).length).toBe(21);
  });
});

describe("kept prepared statements", () => {
  it("the same query with other arguments answers for those arguments, through Prisma", async () => {
    const pick = (v: string) => client.$queryRawUnsafe<{ v: string }[]>("SELECT v FROM t WHERE v = ?", v);
    expect(await pick("kept")).toEqual([{ v: "kept" }]);
    expect(await pick("tx 1")).toEqual([{ v: "tx 1" }]);
    expect(await pick("nobody")).toEqual([]);
    expect(await client.$executeRawUnsafe("UPDATE t SET v = ? WHERE v = ?", "kept again", "kept")).toBe(1);
    expect(await client.$executeRawUnsafe("UPDATE t SET v = ? WHERE v = ?", "kept", "kept again")).toBe(1);
    // An error in one call leaves the kept statement usable.
    await expect(client.$executeRawUnsafe("INSERT INTO t (id, v) VALUES (?, ?)", 1, "duplicate id")).rejects.toThrow();
    expect(await pick("kept")).toEqual([{ v: "kept" }]);
  });

  it("a kept statement follows a schema change; the oldest is dropped beyond the limit and prepared again", () => {
    const conn = new Database(":memory:");
    let prepared = 0;
    const real = conn.prepare.bind(conn);
    conn.prepare = ((sql: string) => (prepared++, real(sql))) as typeof conn.prepare;
    cachePrepared(conn as never, 2);
    const p = conn.prepare as unknown as (sql: string) => { bind(a: unknown[]): { run(): unknown; raw(): { all(): unknown[] } }; run(): unknown };
    p("CREATE TABLE a (x)").run();
    const sel = "SELECT * FROM a WHERE x >= ?";
    p("INSERT INTO a (x) VALUES (?)").bind([1]).run();
    p("INSERT INTO a (x) VALUES (?)").bind([2]).run();
    expect(p(sel).bind([2]).raw().all()).toEqual([[2]]);
    conn.exec("ALTER TABLE a ADD COLUMN y DEFAULT 'z'");
    expect(p(sel).bind([1]).raw().all()).toEqual([[1, "z"], [2, "z"]]);
    expect(prepared).toBe(3); // CREATE, INSERT, SELECT: each once (a third dropped the CREATE)
    p("SELECT 1").run(); // the least recently used, the INSERT, goes
    expect(p(sel).bind([3]).raw().all()).toEqual([]);
    p("INSERT INTO a (x) VALUES (?)").bind([3]).run(); // prepared again
    expect(p(sel).bind([3]).raw().all()).toEqual([[3, "z"]]);
    expect(prepared).toBe(5); // SELECT 1 and the INSERT again; the SELECT stayed (used since)
    conn.close();
  });
});

describe("transactions queued behind one another", () => {
  it("a transaction that waits longer than Prisma's default 2 s for the connection still runs (as lib/db.ts builds it)", async () => {
    const file = path.join(dir, "queued.db");
    const queued = new PrismaClient({ adapter: new SerialBetterSqlite3({ url: file, timeout: 5000 }), transactionOptions: SQLITE_TRANSACTIONS });
    try {
      await queued.$executeRawUnsafe("CREATE TABLE q (v TEXT)");
      // Ten transactions, each holding the one connection for 300 ms: the last waits about 2.7 s.
      await Promise.all(Array.from({ length: 10 }, (_, i) => queued.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO q (v) VALUES ('${i}')`);
        await sleep(300);
      })));
      expect(((await queued.$queryRawUnsafe("SELECT count(*) AS n FROM q")) as { n: bigint }[])[0].n).toBe(10n);
    } finally {
      await queued.$disconnect();
    }
  }, 30_000);
});
