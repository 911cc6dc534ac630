import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { copyFixture, fixtureDb, tempDir, truth } from "@/lib/sydent/test-fixtures";

// Runs the real command line: JSON on stdout, exit 1 on drift or an unreadable file.

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "lib/cli/index.ts", "server:check", ...args], {
    encoding: "utf8",
    env: { ...process.env, CONSOLE_DATABASE_URL: `file:${path.join(dir, "console.db")}` },
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

  it("an unreadable file: exit 1 with a classified error", () => {
    const r = run("--db", path.join(dir, "absent.db"));
    expect(r.code).toBe(1);
    expect(r.json.servers[0].error.kind).toBe("missing");
  });

  it("a damaged file: quick_check's findings reported, exit 1", () => {
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
    const clean = run("--db", fixtureDb("is1"));
    expect(clean.json.servers[0].integrity).toBe("ok");
  });
});
