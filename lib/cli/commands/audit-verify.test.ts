import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it, vi } from "vitest";
import verifyCommand from "@/lib/cli/commands/audit-verify";
import witnessCommand from "@/lib/cli/commands/audit-witness";

// Exit codes: 0 intact, 1 NOT intact, 2 could not verify (one line on stderr, no stack trace).

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-verify-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function run(cmd: typeof verifyCommand, values: Record<string, string>) {
  const err = vi.spyOn(console, "error").mockImplementation(() => {});
  try {
    const code = await cmd.run({ values, positionals: [] });
    return { code, stderr: err.mock.calls.map((c) => c.join(" ")).join("\n") };
  } finally {
    err.mockRestore();
  }
}

describe("audit:verify / audit:witness could-not-verify cases", () => {
  it("an unreachable PostgreSQL server → exit 2, one line", async () => {
    const r = await run(verifyCommand, { db: "postgresql://nobody:x@127.0.0.1:9/none" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Could not verify: database unreachable/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("an SQLite file that is not a console database → exit 2", async () => {
    const file = path.join(tmp, "other.db");
    new Database(file).exec("CREATE TABLE t (x)").close();
    const r = await run(verifyCommand, { db: `file:${file}` });
    expect(r).toMatchObject({ code: 2, stderr: "Could not verify: not a console database: the access-log tables are missing" });
    const w = await run(witnessCommand, { db: `file:${file}`, dir: path.join(tmp, "w") });
    expect(w).toMatchObject({ code: 2, stderr: "Could not witness: not a console database: the access-log tables are missing" });
  });

  it("a file that is not SQLite at all → exit 2", async () => {
    const file = path.join(tmp, "junk.db");
    fs.writeFileSync(file, "this is not a database, just text that is long enough to fill a header page".repeat(20));
    const r = await run(verifyCommand, { db: `file:${file}` });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Could not verify: /);
  });
});
