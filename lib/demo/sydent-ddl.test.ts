import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lookupHash } from "@/lib/sydent/lookup-hash";
import type { Medium } from "@/lib/sydent/normalise";
import { pythonJson, verifySignedJson } from "@/lib/demo/signing";
import { SYDENT_SCHEMA, SYDENT_USER_VERSION } from "@/lib/demo/sydent-ddl";
import { createSydentWriter } from "@/lib/demo/sydent-writer";
import { FIXTURE_DIR, openRo, schemaOf } from "@/lib/demo/testing";

// The committed DDL against the real Sydent 2.7.0 databases, and the hashing/signing code
// against every value those databases hold.

const FIXTURES = ["is1.db", "is2.db"].map((f) => path.join(FIXTURE_DIR, f));

describe("Sydent DDL", () => {
  it("lists exactly the fixtures' sqlite_master, in creation order", () => {
    for (const f of FIXTURES) {
      const real = schemaOf(f).filter((o) => o.sql !== null);
      expect(SYDENT_SCHEMA.map((o) => ({ type: o.type, name: o.name, tbl_name: o.tblName, sql: o.sql }))).toEqual(real);
    }
  });

  it("builds an empty database whose sqlite_master, user_version and journal mode equal the fixtures'", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-ddl-"));
    try {
      const file = path.join(dir, "empty.db");
      const w = createSydentWriter(file);
      w.finish();
      for (const f of FIXTURES) expect(schemaOf(file)).toEqual(schemaOf(f));
      const d = openRo(file);
      expect(d.pragma("user_version", { simple: true })).toBe(SYDENT_USER_VERSION);
      expect(d.pragma("journal_mode", { simple: true })).toBe("delete");
      d.close();
      expect(fs.readdirSync(dir)).toEqual(["empty.db"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("lookupHash and signed associations against the real fixture", () => {
  it("reproduces every lookup_hash in both tables of both servers", () => {
    let checked = 0;
    for (const f of FIXTURES) {
      const d = openRo(f);
      const pepper = (d.prepare("SELECT lookup_pepper FROM hashing_metadata WHERE id = 0").get() as { lookup_pepper: string }).lookup_pepper;
      for (const table of ["local_threepid_associations", "global_threepid_associations"]) {
        const rows = d.prepare(`SELECT medium, address, lookup_hash FROM ${table} WHERE lookup_hash IS NOT NULL`).all() as { medium: Medium; address: string; lookup_hash: string }[];
        expect(rows.length).toBeGreaterThan(0);
        for (const r of rows) {
          expect(lookupHash(r.medium, r.address, pepper), `${f} ${table} ${r.address}`).toBe(r.lookup_hash);
          checked++;
        }
      }
      d.close();
    }
    expect(checked).toBeGreaterThan(60);
  });

  it("verifies every sgAssoc signature with the peer keys stored in the other database, and re-serialises it byte for byte", () => {
    const keys = new Map<string, Buffer>();
    for (const f of FIXTURES) {
      const d = openRo(f);
      for (const k of d.prepare("SELECT peername, key FROM peer_pubkeys").all() as { peername: string; key: string }[]) keys.set(k.peername, Buffer.from(k.key, "base64"));
      d.close();
    }
    expect(keys.size).toBe(2);
    for (const f of FIXTURES) {
      const d = openRo(f);
      for (const r of d.prepare("SELECT originServer, sgAssoc FROM global_threepid_associations").all() as { originServer: string; sgAssoc: string }[]) {
        const obj = JSON.parse(r.sgAssoc);
        expect(verifySignedJson(obj, r.originServer, keys.get(r.originServer)!)).toBe(true);
        expect(pythonJson(obj)).toBe(r.sgAssoc);
      }
      d.close();
    }
  });
});
