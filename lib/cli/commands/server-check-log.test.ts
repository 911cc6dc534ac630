import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import check from "@/lib/cli/commands/server-check";
import { runCli } from "@/lib/cli/testing";
import { seedStaff } from "@/lib/requests/testing";
import { registerServer } from "@/lib/servers/register";
import { closeSydent } from "@/lib/sydent/open";
import { copyFixture, fixtureDb, tempDir, truth } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// server:check --operator writes one server.check entry per database, after the whole check
// (overview, quick_check, Sydent's APIs), carrying its result: outcome and counts, no personal data.

useTestConsoleDb();
const dir = tempDir();
afterAll(async () => {
  await closeSydent();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function lastCheck() {
  const e = await db().accessLogEntry.findFirstOrThrow({ where: { action: "server.check" }, orderBy: { seq: "desc" } });
  return { ...e, details: JSON.parse(e.details ?? "{}") as Record<string, unknown> };
}

function damagedCopy(): string {
  const file = copyFixture("is1", dir);
  const r = new Database(file, { readonly: true });
  const { rootpage } = r.prepare("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'local_threepid_associations'").get() as { rootpage: number };
  const pageSize = r.pragma("page_size", { simple: true }) as number;
  r.close();
  const fd = fs.openSync(file, "r+");
  fs.writeSync(fd, Buffer.alloc(64, 0xee), 0, 64, (rootpage - 1) * pageSize + 8); // the page's cell pointers
  fs.closeSync(fd);
  return file;
}

describe("server:check --operator logs server.check with the check's result", () => {
  it("a clean registered server: outcome ok, integrity ok, the server as target", async () => {
    const admin = await seedStaff("admin");
    const reg = await registerServer(admin.actor, { label: "is1", serverName: truth.instances.is1.server_name, dbPath: fixtureDb("is1") });
    expect(reg.ok).toBe(true);
    const r = await runCli(check, "--server", "is1", "--operator", admin.email);
    expect(r.code, r.stderr).toBe(0);
    const e = await lastCheck();
    expect(e).toMatchObject({ actorLabel: `cli:${admin.email}`, outcome: "ok", targetType: "server" });
    expect(e.details).toMatchObject({ label: "is1", driftItems: 0, integrity: "ok" });
    expect(e.details.file).toBeUndefined();
  });

  it("a damaged file: outcome error, integrity damaged with the number of findings", async () => {
    const admin = await seedStaff("admin");
    const file = damagedCopy();
    const r = await runCli(check, "--db", file, "--operator", admin.email);
    expect(r.code).toBe(1);
    const reported = (r.json.servers as { integrity: string; integrityProblems: string[] }[])[0];
    expect(reported.integrity).toBe("damaged");
    const e = await lastCheck();
    expect(e.outcome).toBe("error");
    expect(e.details).toMatchObject({ file, integrity: "damaged", integrityProblems: reported.integrityProblems.length });
  });

  it("a missing file: outcome error, integrity 'could not check' with the reason's kind", async () => {
    const admin = await seedStaff("admin");
    const file = path.join(dir, "absent.db");
    const r = await runCli(check, "--db", file, "--operator", admin.email);
    expect(r.code).toBe(1);
    const e = await lastCheck();
    expect(e.outcome).toBe("error");
    expect(e.details).toMatchObject({ file, errorKind: "missing", integrity: "could not check", integrityErrorKind: "missing" });
    expect(e.details.integrityProblems).toBeUndefined();
  });
});
