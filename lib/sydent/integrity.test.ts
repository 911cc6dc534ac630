import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { quickCheck } from "@/lib/sydent/integrity";
import { copyFixture, tempDir } from "@/lib/sydent/test-fixtures";

// server:check's quick_check never holds a live Sydent's file for the whole check: the file is
// copied inside one read transaction, against a deadline, and checked on the copy. These tests use
// real SQLite files (the fixture Sydent databases produced by Sydent 2.7.0).

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function damage(file: string) {
  const r0 = new Database(file, { readonly: true });
  const { rootpage } = r0.prepare("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'local_threepid_associations'").get() as { rootpage: number };
  const pageSize = r0.pragma("page_size", { simple: true }) as number;
  r0.close();
  const fd = fs.openSync(file, "r+");
  fs.writeSync(fd, Buffer.alloc(64, 0xee), 0, 64, (rootpage - 1) * pageSize + 8);
  fs.closeSync(fd);
}

/** Whether a writer can take the write lock and commit at once (what Sydent's next write needs). */
function writerCommits(file: string): boolean {
  const w = new Database(file, { timeout: 0 });
  try {
    w.exec("BEGIN IMMEDIATE; CREATE TEMP TABLE IF NOT EXISTS probe (x); COMMIT");
    w.exec("BEGIN EXCLUSIVE; COMMIT");
    return true;
  } catch {
    return false;
  } finally {
    w.close();
  }
}

describe("quick_check of a Sydent database without holding Sydent up", () => {
  it("a live server's file is checked on a copy taken under one read lock; the copy is removed", () => {
    const file = copyFixture("is1", dir);
    const tmp = fs.mkdtempSync(path.join(dir, "tmp-"));
    const held: number[] = [];
    const r = quickCheck(file, { tmpDir: tmp, onLockHeld: (_ms, bytes) => held.push(bytes) });
    expect(r).toEqual({ integrity: "ok", checked: "copy" });
    expect(held).toEqual([fs.statSync(file).size]); // the whole file, once
    expect(fs.readdirSync(tmp)).toEqual([]);
    expect(writerCommits(file)).toBe(true); // nothing left holding the file
  });

  it("a copy left by a check killed an hour ago is removed; a fresh one is not touched", () => {
    const tmp = fs.mkdtempSync(path.join(dir, "tmp-"));
    const stale = path.join(tmp, "custodian-quick-check-stale");
    const recent = path.join(tmp, "custodian-quick-check-recent");
    for (const d of [stale, recent]) fs.mkdirSync(d);
    fs.writeFileSync(path.join(stale, "sydent.db"), "x");
    const old = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(stale, old, old);
    expect(quickCheck(copyFixture("is1", dir), { tmpDir: tmp })).toEqual({ integrity: "ok", checked: "copy" });
    expect(fs.readdirSync(tmp)).toEqual(["custodian-quick-check-recent"]);
  });

  it("damage in the original is found on the copy", () => {
    const file = copyFixture("is2", dir);
    damage(file);
    const r = quickCheck(file, { tmpDir: fs.mkdtempSync(path.join(dir, "tmp-")) });
    expect(r.integrity).toBe("damaged");
    if (r.integrity === "damaged") {
      expect(r.checked).toBe("copy");
      expect(r.problems.length).toBeGreaterThan(0);
    }
  });

  it("when the copy cannot be made within the lock budget it is given up, the lock released, and the check reported as not done", () => {
    // 64 MB: more than cp can copy within a 1 ms budget.
    const file = path.join(dir, "big.db");
    const w = new Database(file);
    w.exec("CREATE TABLE t (x); INSERT INTO t VALUES (zeroblob(64 * 1024 * 1024))");
    w.close();
    const tmp = fs.mkdtempSync(path.join(dir, "tmp-"));
    const r = quickCheck(file, { tmpDir: tmp, lockBudgetMs: 1 });
    expect(r.integrity).toBe("could not check");
    if (r.integrity === "could not check") {
      expect(r.error.message).toMatch(new RegExp(`^not checked: copying ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(\\d+ MB\\) would hold Sydent's database longer than 1 ms`));
      expect(r.error.message).toContain("server:mode stopped");
    }
    expect(fs.readdirSync(tmp)).toEqual([]);
    expect(writerCommits(file)).toBe(true);
  });

  it("a server declared stopped, or a file in WAL mode (readers never block its writer), is checked in place", () => {
    const stopped = copyFixture("is1", dir);
    expect(quickCheck(stopped, { stopped: true })).toEqual({ integrity: "ok", checked: "in place" });
    const wal = copyFixture("is2", dir);
    const c = new Database(wal);
    c.pragma("journal_mode = WAL");
    c.close();
    expect(quickCheck(wal)).toEqual({ integrity: "ok", checked: "in place" });
  });

  it("a file held by a writer committing is not copied: 'could not check', the lock named", () => {
    const file = copyFixture("is1", dir);
    const writer = new Database(file);
    writer.exec("BEGIN EXCLUSIVE");
    try {
      const r = quickCheck(file, { timeoutMs: 100, tmpDir: fs.mkdtempSync(path.join(dir, "tmp-")) });
      expect(r).toMatchObject({ integrity: "could not check", error: { kind: "locked" } });
    } finally {
      writer.exec("ROLLBACK");
      writer.close();
    }
  });
});
