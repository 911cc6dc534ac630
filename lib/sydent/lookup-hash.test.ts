import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { lookupHash } from "@/lib/sydent/lookup-hash";
import type { Medium } from "@/lib/sydent/normalise";
import { fixtureDb, INSTANCES, truth } from "@/lib/sydent/test-fixtures";

type Row = { medium: Medium; address: string; lookup_hash: string };

describe.each(INSTANCES)("lookupHash reproduces every stored lookup_hash in %s", (i) => {
  const db = new Database(fixtureDb(i), { readonly: true });
  const pepper = db.prepare(`SELECT lookup_pepper FROM hashing_metadata WHERE id = 0`).pluck().get() as string;
  const rows = (table: string) =>
    db.prepare(`SELECT medium, address, lookup_hash FROM ${table} WHERE lookup_hash IS NOT NULL`).all() as Row[];
  const local = rows("local_threepid_associations");
  const global = rows("global_threepid_associations");
  db.close();

  it("the pepper in hashing_metadata is the one truth.json records", () => {
    expect(pepper).toBe(truth.instances[i].pepper);
  });

  it.each([
    ["local_threepid_associations", local],
    ["global_threepid_associations", global],
  ])("%s", (_table, list) => {
    expect(list.length).toBeGreaterThan(0);
    for (const r of list) expect(lookupHash(r.medium, r.address, pepper), `${r.medium} row`).toBe(r.lookup_hash);
  });

  it("another server's pepper gives other hashes (each server hashes with its own)", () => {
    const other = INSTANCES.find((x) => x !== i)!;
    for (const r of global) expect(lookupHash(r.medium, r.address, truth.instances[other].pepper)).not.toBe(r.lookup_hash);
  });
});
