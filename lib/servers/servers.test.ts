import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { db, sqlitePathFromUrl } from "@/lib/db";
import { env } from "@/lib/env";
import { setServerDisabled, updateServerPaths } from "@/lib/servers/manage";
import { listServersWithHealth, viewServerOverview } from "@/lib/servers/overview";
import { getServerByLabel, listServers } from "@/lib/servers/queries";
import { registerServer } from "@/lib/servers/register";
import { closeSydent } from "@/lib/sydent/open";
import { copyFixture, fixtureDb, FIXTURE_DIR, tempDir, truth } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

useTestConsoleDb();
const dir = tempDir();
afterAll(async () => {
  await closeSydent();
  fs.rmSync(dir, { recursive: true, force: true });
});
const admin = { id: null, label: "cli:admin@test", role: "admin" };

const entries = (action: string) => db().accessLogEntry.findMany({ where: { action }, orderBy: { seq: "asc" } });
const is1 = {
  label: "is1",
  serverName: truth.instances.is1.server_name,
  dbPath: fixtureDb("is1"),
  sydentLogPaths: path.join(FIXTURE_DIR, "is1/sydent.log*"),
  haproxyLogPaths: [path.join(FIXTURE_DIR, "haproxy/haproxy.log*")],
};

describe("registering identity servers", () => {
  it("registers a real Sydent file, stores paths as lists, and logs server.register", async () => {
    const r = await registerServer(admin, is1);
    expect(r).toMatchObject({ ok: true, warnings: [] });
    const s = await getServerByLabel("is1");
    expect(s).toMatchObject({ serverName: is1.serverName, dbPath: is1.dbPath, sydentLogPaths: [is1.sydentLogPaths], haproxyLogPaths: is1.haproxyLogPaths });
    const log = await entries("server.register");
    expect(log.at(-1)).toMatchObject({ outcome: "ok", targetType: "server", targetRef: s!.id });
  });

  it("refuses a SQLite file that is not Sydent's, and logs the refusal", async () => {
    const file = path.join(dir, "not-sydent.db");
    const w = new Database(file);
    w.exec("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)");
    w.close();
    const r = await registerServer(admin, { label: "bogus", serverName: "bogus.example", dbPath: file });
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.message).toMatch(/Not a Sydent database/);
    expect(r.ok ? undefined : r.fieldErrors?.dbPath).toBeDefined();
    expect(await getServerByLabel("bogus")).toBeNull();
    expect((await entries("server.register")).at(-1)).toMatchObject({ outcome: "invalid", targetRef: null });
  });

  it("refuses missing files, non-SQLite files, bad input, duplicates and the peer's server.name", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ label: "x1", serverName: "x1.example", dbPath: path.join(dir, "absent.db") }, /not found/],
      [{ label: "x2", serverName: "x2.example", dbPath: path.join(FIXTURE_DIR, "README.md") }, /Not a SQLite database/],
      [{ label: "Bad Label!", serverName: "", dbPath: "" }, /highlighted fields/],
      [{ ...is1, serverName: "other.example", dbPath: copyFixture("is1", dir) }, /already registered/],
      [{ label: "is1b", serverName: truth.instances.is2.server_name, dbPath: copyFixture("is1", tempDir()) }, /peers table/],
    ];
    for (const [input, message] of cases) {
      const r = await registerServer(admin, input);
      expect(r.ok ? "registered" : r.message).toMatch(message);
    }
    expect((await listServers({ includeDisabled: true })).map((s) => s.label)).toEqual(["is1"]);
  });

  it("refuses a log path that is one of the console's own files (the signing key, the console database), naming it; nothing registered", async () => {
    const key = env().checkpointKeyFile;
    const before = (await entries("server.register")).length;
    const r = await registerServer(admin, { label: "is3", serverName: "is3.example", dbPath: copyFixture("is1", dir), sydentLogPaths: [key], haproxyLogPaths: [path.join(path.dirname(key), "*")] });
    expect(r.ok).toBe(false);
    const errors = r.ok ? {} : r.fieldErrors ?? {};
    expect(errors.sydentLogPaths).toEqual([`${key} is inside the folder of the checkpoint signing key (${path.dirname(key)}): the console's own files are never log files.`]);
    expect(errors.haproxyLogPaths?.[0]).toMatch(/is inside the folder of the checkpoint signing key/);
    if (env().consoleDbKind === "sqlite") {
      const file = sqlitePathFromUrl(env().CONSOLE_DATABASE_URL);
      const r2 = await registerServer(admin, { label: "is3", serverName: "is3.example", dbPath: copyFixture("is1", dir), sydentLogPaths: [`${file}*`] });
      expect(r2.ok ? [] : r2.fieldErrors?.sydentLogPaths).toEqual([`${file}* matches the console database (${path.resolve(file)}): the console's own files are never log files.`]);
    }
    expect(await getServerByLabel("is3")).toBeNull();
    const log = await entries("server.register");
    expect(log.length).toBeGreaterThan(before);
    expect(log.at(-1)).toMatchObject({ outcome: "invalid", targetRef: null });
  });

  it("registers is2 too; the list flags both for the sgAssoc invite leak and nothing else", async () => {
    expect((await registerServer(admin, { label: "is2", serverName: truth.instances.is2.server_name, dbPath: fixtureDb("is2") })).ok).toBe(true);
    const list = await listServersWithHealth();
    expect(list.map((s) => [s.server.label, s.health, s.reasons.length])).toEqual([["is1", "warn", 1], ["is2", "warn", 1]]);
    for (const s of list) {
      const label = s.server.label as "is1" | "is2";
      expect(s.reasons[0]).toContain(`${truth.db_summary[label].sgassoc_rows_with_invites.length} association(s) embed`);
    }
  });
});

describe("changing, disabling and viewing", () => {
  it("the overview reports the leak, and each view is logged as server.overview.view", async () => {
    const s = (await getServerByLabel("is2"))!;
    const before = (await entries("server.overview.view")).length;
    const view = await viewServerOverview(admin, s.id);
    expect(view?.overview?.ok && view.overview.sgAssocWithInvites).toBe(truth.db_summary.is2.sgassoc_rows_with_invites.length);
    expect(view?.health).toBe("warn");
    const log = await entries("server.overview.view");
    expect(log.length).toBe(before + 1);
    expect(log.at(-1)).toMatchObject({ outcome: "ok", targetRef: s.id });
  });

  it("a path pointing to a missing file keeps the console working: the overview shows the error", async () => {
    const copy = copyFixture("is2", tempDir());
    const s = (await getServerByLabel("is2"))!;
    const r = await updateServerPaths(admin, { id: s.id, dbPath: copy, sydentLogPaths: "a.log\nb.log\n", haproxyLogPaths: "" });
    expect(r).toMatchObject({ ok: true });
    expect((await getServerByLabel("is2"))?.sydentLogPaths).toEqual([path.resolve("a.log"), path.resolve("b.log")]);
    fs.rmSync(copy);
    const view = await viewServerOverview(admin, s.id);
    expect(view?.overview?.ok === false && view.overview.error.kind).toBe("missing");
    expect(view?.health).toBe("bad");
    expect((await entries("server.overview.view")).at(-1)).toMatchObject({ outcome: "error" });
    const refused = await updateServerPaths(admin, { id: s.id, dbPath: path.join(FIXTURE_DIR, "README.md") });
    expect(refused.ok).toBe(false);
    expect((await entries("server.update")).map((e) => e.outcome)).toEqual(["ok", "invalid"]);
  });

  it("disable and re-enable are logged; a disabled server is not read", async () => {
    const s = (await getServerByLabel("is2"))!;
    expect((await setServerDisabled(admin, { id: s.id }, true)).ok).toBe(true);
    expect((await listServers()).map((x) => x.label)).toEqual(["is1"]);
    expect((await viewServerOverview(admin, s.id))?.overview).toBeNull();
    expect((await setServerDisabled(admin, { id: s.id }, false)).ok).toBe(true);
    expect((await entries("server.disable")).length + (await entries("server.enable")).length).toBe(2);
  });

  it("an unknown id is not found and still logged", async () => {
    expect(await viewServerOverview(admin, "no-such-id")).toBeNull();
    expect((await entries("server.overview.view")).at(-1)).toMatchObject({ outcome: "not_found", targetRef: "no-such-id" });
  });
});
