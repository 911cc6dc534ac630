import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { inspectSydentDb, type InspectResult } from "@/lib/sydent/inspect";
import { closeSydent } from "@/lib/sydent/open";
import { copyFixture, fixtureDb, INSTANCES, SCHEMA_SQL, tempDir, truth } from "@/lib/sydent/test-fixtures";

const dir = tempDir();
afterAll(async () => {
  await closeSydent();
  fs.rmSync(dir, { recursive: true, force: true });
});

function ok(r: InspectResult) {
  if (!r.ok) throw new Error(`expected a readable Sydent DB, got ${r.error.kind}: ${r.error.message}`);
  return r;
}

function mutateCopy(sql: string): string {
  const file = copyFixture("is1", fs.mkdtempSync(path.join(dir, "m-")));
  const w = new Database(file);
  w.exec(sql);
  w.close();
  return file;
}

describe("inspectSydentDb on the real fixtures", () => {
  it.each(INSTANCES)("%s: 12 tables, user_version as in truth.json, no drift", (i) => {
    const r = ok(inspectSydentDb(fixtureDb(i)));
    expect(r.userVersion).toBe(truth.db_summary[i].user_version);
    expect(r.tables.map((t) => t.name).sort()).toEqual(Object.keys(truth.db_summary[i].counts).sort());
    expect(r.drift).toEqual([]);
    expect(r.knownDrift).toEqual([]);
  });

  it("a database built from sydent-schema.sql (the written spec) shows no drift", () => {
    const file = path.join(dir, "spec.db");
    const w = new Database(file);
    w.exec(fs.readFileSync(SCHEMA_SQL, "utf8"));
    w.close();
    const r = ok(inspectSydentDb(file));
    expect(r.drift).toEqual([]);
    expect(r.userVersion).toBe(5);
  });
});

describe("drift detection on modified copies", () => {
  it("a dropped index and an added column are reported precisely", () => {
    const file = mutateCopy(`DROP INDEX invite_token_token; ALTER TABLE accounts ADD COLUMN nickname TEXT;`);
    const r = ok(inspectSydentDb(file));
    expect(r.drift.map((d) => [d.kind, d.table, d.name])).toEqual([
      ["extra_column", "accounts", "nickname"],
      ["missing_index", "invite_tokens", "invite_token_token"],
    ]);
  });

  it("missing and extra tables, changed columns and user_version", () => {
    const file = mutateCopy(`DROP TABLE accepted_terms_urls; CREATE TABLE custom_notes(x TEXT); PRAGMA user_version = 4;
      DROP INDEX name; CREATE INDEX name ON peers(port);`);
    const r = ok(inspectSydentDb(file));
    const kinds = r.drift.map((d) => `${d.kind}:${d.table ?? ""}:${d.name ?? ""}`);
    expect(kinds).toContain("user_version::");
    expect(kinds).toContain("missing_table:accepted_terms_urls:");
    expect(kinds).toContain("extra_table:custom_notes:");
    expect(kinds).toContain("missing_index:accepted_terms_urls:accepted_terms_urls_idx");
    expect(kinds).toContain("index_changed:peers:name");
  });

  it("recognises the PR #213 schema (user_version 5, no global_threepid_lookup_hash, lookup_hash_medium on local)", () => {
    const file = mutateCopy(`DROP INDEX global_threepid_lookup_hash;
      CREATE INDEX lookup_hash_medium ON local_threepid_associations (lookup_hash, medium);`);
    const r = ok(inspectSydentDb(file));
    expect(r.userVersion).toBe(5);
    expect(r.knownDrift.map((k) => k.id)).toEqual(["pr213"]);
    expect(r.drift.map((d) => `${d.kind}:${d.name}`).sort()).toEqual(["extra_index:lookup_hash_medium", "missing_index:global_threepid_lookup_hash"]);
  });
});

describe("classified errors", () => {
  it("missing file", () => {
    const r = inspectSydentDb(path.join(dir, "nope.db"));
    expect(r.ok ? null : r.error.kind).toBe("missing");
  });

  it("a directory is unreadable as a database", () => {
    const r = inspectSydentDb(dir);
    expect(r.ok ? null : r.error.kind).toBe("unreadable");
  });

  it("a text file is not SQLite", () => {
    const r = inspectSydentDb(path.join(path.dirname(fixtureDb("is1")), "README.md"));
    expect(r.ok ? null : r.error.kind).toBe("not_sqlite");
  });

  it("a SQLite file without Sydent's tables is not Sydent", () => {
    const file = path.join(dir, "other.db");
    const w = new Database(file);
    w.exec("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)");
    w.close();
    const r = inspectSydentDb(file);
    expect(r.ok ? null : r.error.kind).toBe("not_sydent");
    const empty = path.join(dir, "empty.db");
    fs.writeFileSync(empty, "");
    const e = inspectSydentDb(empty);
    expect(e.ok ? null : e.error.kind).toBe("not_sydent");
  });

  it("an exclusively locked file gives 'locked' after waiting the busy timeout, then reads again once released", () => {
    const file = copyFixture("is2", fs.mkdtempSync(path.join(dir, "lock-")));
    expect(inspectSydentDb(file, { busyTimeoutMs: 300 }).ok).toBe(true); // cached connection already open
    const holder = new Database(file);
    holder.exec("BEGIN EXCLUSIVE");
    try {
      const start = Date.now();
      const r = inspectSydentDb(file, { busyTimeoutMs: 300 });
      const elapsed = Date.now() - start;
      expect(r.ok ? null : r.error.kind).toBe("locked");
      // The lower bound proves the busy timeout waits; no upper bound: a busy machine may be slow.
      expect(elapsed).toBeGreaterThanOrEqual(250);
    } finally {
      holder.exec("COMMIT");
      holder.close();
    }
    expect(inspectSydentDb(file, { busyTimeoutMs: 300 }).ok).toBe(true);
  });

  it("never writes to the file it inspects", () => {
    const file = copyFixture("is1", fs.mkdtempSync(path.join(dir, "ro-")));
    const before = fs.readFileSync(file);
    ok(inspectSydentDb(file));
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.existsSync(`${file}-journal`)).toBe(false);
  });
});
