import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { copyFixture, fixtureDb, tempDir, truth } from "@/lib/sydent/test-fixtures";

// Runs the real command line: JSON on stdout, exit 1 on drift, damage or an unreadable file.
// quick_check's verdict is "ok", "damaged" (its findings) or "could not check" (the reason): a
// file that cannot be opened is never called damaged. No case for a file without read permission:
// the tests run as root, for whom file modes do not deny reads, so such a case would not test
// what an operator meets; checkFile's EACCES path is the same "could not check" branch as the
// directory case below.

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "lib/cli/index.ts", "server:check", ...args], {
    encoding: "utf8",
    env: { ...process.env, CONSOLE_DATABASE_URL: `file:${path.join(dir, "console.db")}`, CUSTODIAN_SYDENT_BUSY_TIMEOUT_MS: "200" },
  });
  return { code: r.status, json: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

describe("server:check", () => {
  it("a clean fixture: exit 0, counts and peers as in truth.json", () => {
    const r = run("--db", fixtureDb("is1"));
    expect(r.code, r.stderr).toBe(0);
    const s = r.json.servers[0];
    expect(s.drift).toEqual([]);
    expect(s.counts).toEqual(truth.db_summary.is1.counts);
    expect(s.peers.map((p: { name: string; lastSentVersion: number }) => [p.name, p.lastSentVersion])).toEqual(
      truth.db_summary.is1.peers.map((p) => [p.name, p.lastSentVersion]),
    );
  });

  it("drift: exit 1 and the drift listed", () => {
    const file = copyFixture("is2", dir);
    const w = new Database(file);
    w.exec("DROP INDEX global_threepid_medium_lower_address");
    w.close();
    const r = run("--db", file);
    expect(r.code).toBe(1);
    expect(r.json.servers[0].drift.map((d: { name: string }) => d.name)).toEqual(["global_threepid_medium_lower_address"]);
  });

  it("a missing file or a directory: exit 1, integrity 'could not check' with the reason, never 'damaged'", () => {
    const absent = path.join(dir, "absent.db");
    const r = run("--db", absent);
    expect(r.code).toBe(1);
    expect(r.json.servers[0]).toMatchObject({ error: { kind: "missing" }, integrity: "could not check", integrityError: { kind: "missing", message: `No file at ${absent}.` } });
    expect(r.json.servers[0].integrityProblems).toBeUndefined();
    expect(r.stderr).toContain(`${absent}: integrity could not check: No file at ${absent}.`);
    expect(fs.existsSync(absent)).toBe(false);
    const d = run("--db", dir);
    expect(d.code).toBe(1);
    expect(d.json.servers[0]).toMatchObject({ integrity: "could not check", integrityError: { kind: "unreadable" } });
  });

  it("a file locked by its writer: 'could not check', the lock named, not 'damaged'", () => {
    const file = copyFixture("is1", dir);
    const writer = new Database(file);
    writer.exec("BEGIN EXCLUSIVE"); // as Sydent holds it while committing (rollback journal)
    let r;
    try {
      r = run("--db", file);
    } finally {
      writer.exec("ROLLBACK");
      writer.close();
    }
    expect(r.code).toBe(1);
    expect(r.json.servers[0]).toMatchObject({ error: { kind: "locked" }, integrity: "could not check", integrityError: { kind: "locked" } });
    expect(r.stderr).toMatch(/integrity could not check: .* is locked by another process/);
    expect(run("--db", file).json.servers[0].integrity).toBe("ok"); // the same file, once released
  });

  it("a damaged file: quick_check's findings reported as 'damaged', exit 1", () => {
    const file = copyFixture("is1", dir);
    const r0 = new Database(file, { readonly: true });
    const { rootpage } = r0.prepare("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'local_threepid_associations'").get() as { rootpage: number };
    const pageSize = r0.pragma("page_size", { simple: true }) as number;
    r0.close();
    const fd = fs.openSync(file, "r+");
    fs.writeSync(fd, Buffer.alloc(64, 0xee), 0, 64, (rootpage - 1) * pageSize + 8); // scribble over the page's cell pointers
    fs.closeSync(fd);
    const r = run("--db", file);
    expect(r.code).toBe(1);
    expect(r.json.servers[0].integrity).toBe("damaged");
    expect(r.json.servers[0].integrityProblems.length).toBeGreaterThan(0);
    expect(r.json.servers[0].integrityError).toBeUndefined();
    expect(r.stderr).toContain(`${file}: integrity damaged: ${r.json.servers[0].integrityProblems[0]}`);
    const clean = run("--db", fixtureDb("is1"));
    expect(clean.json.servers[0].integrity).toBe("ok");
    expect(clean.stderr).not.toContain("integrity");
  });
});
