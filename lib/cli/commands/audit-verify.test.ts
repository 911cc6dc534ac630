import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import verifyCommand from "@/lib/cli/commands/audit-verify";
import witnessCommand from "@/lib/cli/commands/audit-witness";
import { withPg } from "@/lib/cli/pg-roles";
import { runCli } from "@/lib/cli/testing";
import { db, resetDb, sqlitePathFromUrl } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";
import { recordAccess } from "@/lib/audit/log";
import { dropAppendOnlyTriggers, tamperDb } from "@/lib/audit/test-tamper";
import { seedStaff } from "@/lib/requests/testing";
import { TEST_PG_APP_ROLE, useTestConsoleDb } from "@/lib/test/console-db";

// Exit codes: 0 intact, 1 NOT intact, 2 could not verify (one line on stderr, no stack trace),
// whether or not --operator is given. With --operator the run is recorded after the verdict is
// printed; an intact log whose run could not be recorded exits 2.

const ctx = useTestConsoleDb();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-verify-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// --operator points the shared client at the database being verified; put it back afterwards.
afterEach(async () => {
  if (process.env.CONSOLE_DATABASE_URL !== ctx.current.url) {
    process.env.CONSOLE_DATABASE_URL = ctx.current.url;
    resetEnvCache();
    await resetDb();
  }
});

const verify = (...argv: string[]) => runCli(verifyCommand, ...argv);
const oneLine = (stderr: string) => {
  expect(stderr.trim().split("\n"), stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return stderr.trim();
};
const verifyRuns = () => db().accessLogEntry.findMany({ where: { action: "accessLog.verify" }, orderBy: { seq: "asc" } });

function notConsoleDb(): string {
  const file = path.join(tmp, "other.db");
  if (!fs.existsSync(file)) new Database(file).exec("CREATE TABLE t (x)").close();
  return file;
}

describe("audit:verify / audit:witness could-not-verify cases", () => {
  it("an unreachable PostgreSQL server → exit 2, one line, with or without --operator", async () => {
    for (const extra of [[], ["--operator", "auditor@custodian.test"]]) {
      const r = await verify("--db", "postgresql://nobody:x@127.0.0.1:9/none", ...extra);
      expect(r.code, extra.join(" ")).toBe(2);
      expect(oneLine(r.stderr)).toMatch(/^Could not verify: database unreachable/);
    }
  });

  it("an SQLite file that is not a console database → exit 2, with or without --operator", async () => {
    const file = notConsoleDb();
    const message = "Could not verify: not a console database: the access-log tables are missing";
    for (const extra of [[], ["--operator", "auditor@custodian.test"]]) {
      const r = await verify("--db", `file:${file}`, ...extra);
      expect(r.code, extra.join(" ")).toBe(2);
      expect(oneLine(r.stderr)).toBe(message);
    }
    const w = await runCli(witnessCommand, "--db", `file:${file}`, "--dir", path.join(tmp, "w"));
    expect(w).toMatchObject({ code: 2, stderr: "Could not witness: not a console database: the access-log tables are missing\n" });
  });

  it("a missing SQLite file → exit 2 naming it, and nothing is created", async () => {
    const file = path.join(tmp, "absent", "console.db");
    const r = await verify("--db", `file:${file}`);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`Could not verify: no such SQLite database: ${file}`);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });

  it("a file that is not SQLite at all → exit 2", async () => {
    const file = path.join(tmp, "junk.db");
    fs.writeFileSync(file, "this is not a database, just text that is long enough to fill a header page".repeat(20));
    const r = await verify("--db", `file:${file}`);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^Could not verify: /);
  });

  it("--operator unknown, disabled or without accessLog.verify → exit 2 naming the operator, nothing recorded", async () => {
    const support = await seedStaff("support");
    const gone = await seedStaff("auditor");
    await db().staff.update({ where: { id: gone.id }, data: { disabledAt: new Date() } });
    const before = (await verifyRuns()).length;
    const cases: [string, string][] = [
      ["nobody@custodian.test", `Could not verify: --operator: No active staff account "nobody@custodian.test".`],
      [gone.email, `Could not verify: --operator: No active staff account "${gone.email}".`],
      [support.email, `Could not verify: --operator: ${support.email} has role support, which lacks the permission accessLog.verify.`],
    ];
    for (const [email, message] of cases) {
      const r = await verify("--db", ctx.current.url, "--operator", email);
      expect(r.code, email).toBe(2);
      expect(oneLine(r.stderr)).toBe(message);
      expect(r.json).toEqual({});
    }
    expect(await verifyRuns()).toHaveLength(before);
    // audit:witness likewise: exit 1 means "not consistent", never a bad operator.
    const w = await runCli(witnessCommand, "--db", ctx.current.url, "--dir", path.join(tmp, "w-op"), "--operator", "nobody@custodian.test");
    expect(w.code).toBe(2);
    expect(oneLine(w.stderr)).toBe(`Could not witness: --operator: No active staff account "nobody@custodian.test".`);
  });
});

describe("audit:verify verdicts", () => {
  beforeAll(async () => {
    const actor = { id: null, label: "cli:test", role: "dpo" };
    for (let i = 0; i < 5; i++) await recordAccess({ actor, action: "test.view", outcome: "ok", target: { type: "email", value: `p${i}@example.org` } });
  });

  it("an intact log → exit 0, and with --operator the run is recorded as accessLog.verify ok", async () => {
    const plain = await verify("--db", ctx.current.url);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.json).toMatchObject({ ok: true, firstBroken: null, problemCount: 0 });
    const auditor = await seedStaff("auditor");
    const r = await verify("--db", ctx.current.url, "--operator", auditor.email);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, firstBroken: null });
    const run = (await verifyRuns()).at(-1);
    expect(run).toMatchObject({ actorLabel: `cli:${auditor.email}`, outcome: "ok" });
    expect(JSON.parse(run!.details!)).toMatchObject({ ok: true, entries: r.json.entries });
  });

  it("an intact log whose run cannot be recorded: the verdict is printed, then exit 2 saying so", async () => {
    const auditor = await seedStaff("auditor");
    const before = (await verifyRuns()).length;
    // A real reason for the write to fail: on SQLite another process holds the write lock, on
    // PostgreSQL the console's role has lost its INSERT grant on the log.
    let release: () => Promise<void>;
    if (ctx.current.kind === "sqlite") {
      const holder = new Database(sqlitePathFromUrl(ctx.current.url));
      holder.exec("BEGIN IMMEDIATE");
      release = async () => void holder.exec("ROLLBACK").close();
    } else {
      await withPg(ctx.current.ownerUrl, (c) => c.query(`REVOKE INSERT ON "AccessLogEntry" FROM ${TEST_PG_APP_ROLE}`));
      release = () => withPg(ctx.current.ownerUrl, async (c) => void (await c.query(`GRANT INSERT ON "AccessLogEntry" TO ${TEST_PG_APP_ROLE}`)));
    }
    let r;
    try {
      r = await verify("--db", ctx.current.url, "--operator", auditor.email);
    } finally {
      await release();
    }
    expect(r.json).toMatchObject({ ok: true, firstBroken: null });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^Access log intact, but the result could not be recorded in the access log: \S/);
    expect(await verifyRuns()).toHaveLength(before);
  });

  it("a tampered log → exit 1 naming the first broken entry, recorded as accessLog.verify error", async () => {
    const auditor = await seedStaff("auditor");
    await dropAppendOnlyTriggers();
    const victim = await db().accessLogEntry.findFirstOrThrow({ where: { action: "test.view" }, orderBy: { seq: "asc" } });
    await tamperDb().accessLogEntry.update({ where: { seq: victim.seq }, data: { action: "test.edited" } });
    const r = await verify("--db", ctx.current.url, "--operator", auditor.email);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json).toMatchObject({ ok: false, firstBroken: { seq: victim.seq, reason: "hash mismatch" } });
    expect(r.stderr).toContain(`Access log NOT intact: first broken seq ${victim.seq}: hash mismatch`);
    expect((await verifyRuns()).at(-1)).toMatchObject({ actorLabel: `cli:${auditor.email}`, outcome: "error" });
  });
});
