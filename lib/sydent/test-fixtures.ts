import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// Test helpers for the real Sydent fixture (shared/fixtures/sydent-real): paths, truth.json, and
// writable copies in a temp dir (the originals are read-only and must never be written).

export const FIXTURE_DIR = process.env.SYDENT_FIXTURE_DIR ?? path.resolve("lib/test/fixtures/sydent-real");
export const SCHEMA_SQL = process.env.SYDENT_SCHEMA_SQL ?? path.resolve("lib/test/fixtures/sydent-domain/sydent-schema.sql");
export const INSTANCES = ["is1", "is2"] as const;
export type Instance = (typeof INSTANCES)[number];

export type Truth = {
  instances: Record<Instance, { server_name: string; pepper: string; db: string }>;
  db_summary: Record<
    Instance,
    {
      counts: Record<string, number>;
      user_version: number;
      tombstones: { id: number; medium: string; address: string }[];
      peers: { name: string; lastSentVersion: number; lastPokeSucceededAt: number; active: number }[];
      max_local_id: number;
      global_by_origin: Record<string, number>;
      sgassoc_rows_with_invites: { global_id: number }[];
    }
  >;
};

export const truth: Truth = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, "truth.json"), "utf8"));

export const fixtureDb = (i: Instance) => path.join(FIXTURE_DIR, truth.instances[i].db);

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "custodian-sydent-"));
}

/** A writable copy of a fixture database in a fresh temp dir. */
export function copyFixture(i: Instance, dir = tempDir()): string {
  const dest = path.join(dir, `${i}-copy.db`);
  fs.copyFileSync(fixtureDb(i), dest);
  fs.chmodSync(dest, 0o644);
  return dest;
}
