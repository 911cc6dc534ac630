import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lookupHash } from "@/lib/sydent/lookup-hash";
import { casefold, type Medium } from "@/lib/sydent/normalise";
import { verifySignedJson } from "@/lib/demo/signing";
import { buildSubjectReport } from "@/lib/demo/subjects-report";
import { cleanup, dumpDb, FIXTURE_DIR, generateForTest, openRo, schemaOf, TEST_REF, type Generated } from "@/lib/demo/testing";
import { HUNDRED_YEARS_MS } from "@/lib/demo/types";

// Generated databases against the fixture's schema and Sydent's rules (sydent.md 1, 2.1-2.5).

type Local = { id: number; medium: Medium; address: string; mxid: string | null; ts: number; notBefore: number | null; notAfter: number | null; lookup_hash: string | null };
type Global = { id: number; medium: Medium; address: string; mxid: string; ts: number; notBefore: number; notAfter: number; originServer: string; originId: number; sgAssoc: string; lookup_hash: string };

let g: Generated;
const rows = <T>(i: number, sql: string) => {
  const d = openRo(g.dbPaths[i]);
  try {
    return d.prepare(sql).all() as T[];
  } finally {
    d.close();
  }
};

beforeAll(() => {
  g = generateForTest({ bindings: 300 });
});
afterAll(() => cleanup(g.dir));

describe("generated Sydent databases", () => {
  it("have exactly the fixture's sqlite_master, user_version 5 and journal_mode delete", () => {
    const fixture = schemaOf(path.join(FIXTURE_DIR, "is1.db"));
    for (const f of g.dbPaths) {
      expect(schemaOf(f)).toEqual(fixture);
      const d = openRo(f);
      expect(d.pragma("user_version", { simple: true })).toBe(5);
      expect(d.pragma("journal_mode", { simple: true })).toBe("delete");
      expect(d.pragma("integrity_check", { simple: true })).toBe("ok");
      d.close();
    }
  });

  it("store the same value types per column as the fixture (NULL only where the column allows it)", () => {
    const fixtures = ["is1.db", "is2.db"].map((f) => path.join(FIXTURE_DIR, f));
    const types = (rs: unknown[], out: Record<string, Set<string>> = {}) => {
      for (const r of rs as Record<string, unknown>[]) for (const [k, v] of Object.entries(r)) if (k.endsWith(":type")) (out[k] ??= new Set()).add(String(v));
      return out;
    };
    const d = openRo(fixtures[0]);
    const real = fixtures.map(dumpDb);
    for (const i of [0, 1]) {
      const mine = dumpDb(g.dbPaths[i]);
      for (const t of Object.keys(real[0])) {
        const want = types(real[1][t], types(real[0][t]));
        const nullable = new Set((d.prepare(`PRAGMA table_info(${t})`).all() as { name: string; notnull: number; pk: number }[]).filter((c) => !c.notnull && !c.pk).map((c) => `${c.name}:type`));
        for (const [col, set] of Object.entries(types(mine[t]))) {
          for (const v of set) expect(want[col]?.has(v) || (v === "null" && nullable.has(col)), `${t}.${col} ${v}`).toBe(true);
        }
      }
    }
    d.close();
  });

  it("hash every address with that server's 5-character pepper", () => {
    for (const i of [0, 1]) {
      const pepper = rows<{ lookup_pepper: string }>(i, "SELECT lookup_pepper FROM hashing_metadata WHERE id = 0")[0].lookup_pepper;
      expect(pepper).toMatch(/^[A-Za-z0-9]{5}$/);
      for (const t of ["local_threepid_associations", "global_threepid_associations"]) {
        const rs = rows<{ medium: Medium; address: string; lookup_hash: string }>(i, `SELECT medium, address, lookup_hash FROM ${t} WHERE mxid IS NOT NULL`);
        expect(rs.length).toBeGreaterThan(50);
        for (const r of rs) expect(r.lookup_hash).toBe(lookupHash(r.medium, r.address, pepper));
      }
    }
  });

  it("store casefolded emails and E.164 digits, but sessions as typed", () => {
    for (const i of [0, 1]) {
      for (const t of ["local_threepid_associations", "global_threepid_associations", "invite_tokens"]) {
        for (const r of rows<{ medium: string; address: string }>(i, `SELECT medium, address FROM ${t}`)) {
          if (r.medium === "email") expect(r.address).toBe(casefold(r.address));
          else expect(r.address).toMatch(/^[1-9]\d{9,14}$/);
        }
      }
    }
    const typed = [0, 1].flatMap((i) => rows<{ address: string }>(i, "SELECT address FROM threepid_validation_sessions WHERE medium = 'email'").map((r) => r.address));
    expect(typed.some((a) => a !== casefold(a))).toBe(true);
    expect(typed.some((a) => /[^\x00-\x7f]/.test(a))).toBe(true);
    const all = [0, 1].flatMap((i) => rows<{ address: string }>(i, "SELECT address FROM global_threepid_associations WHERE medium = 'email'").map((r) => r.address));
    expect(all.some((a) => /[^\x00-\x7f]/.test(a))).toBe(true);
  });

  it("follow the replication rules: peers hold pushed rows, tombstones leave no global rows anywhere", () => {
    const names = g.servers.map((s) => s.serverName);
    for (const a of [0, 1]) {
      const b = 1 - a;
      const local = rows<Local>(a, "SELECT * FROM local_threepid_associations");
      const ownGlobal = new Map(rows<Global>(a, `SELECT * FROM global_threepid_associations WHERE originServer = '${names[a]}'`).map((r) => [r.originId, r]));
      const peerGlobal = new Map(rows<Global>(b, `SELECT * FROM global_threepid_associations WHERE originServer = '${names[a]}'`).map((r) => [r.originId, r]));
      const peerRow = rows<{ name: string; lastSentVersion: number; active: number }>(a, "SELECT * FROM peers")[0];
      expect(peerRow).toMatchObject({ name: names[b], active: 1 });
      const maxId = Math.max(...local.map((r) => r.id));
      const seq = rows<{ seq: number }>(a, "SELECT seq FROM sqlite_sequence WHERE name = 'local_threepid_associations'")[0].seq;
      expect(seq).toBeGreaterThanOrEqual(maxId);
      expect(peerRow.lastSentVersion).toBeLessThanOrEqual(seq);
      const tombstoned = new Set<string>();
      for (const r of local) {
        if (r.mxid === null) {
          expect([r.notBefore, r.notAfter, r.lookup_hash]).toEqual([null, null, null]);
          tombstoned.add(`${r.medium}|${r.address}`);
          continue;
        }
        expect(ownGlobal.get(r.id)).toMatchObject({ medium: r.medium, address: r.address, mxid: r.mxid, ts: r.ts });
        if (r.id <= peerRow.lastSentVersion) expect(peerGlobal.get(r.id), `${names[a]} #${r.id}`).toMatchObject({ medium: r.medium, address: r.address, mxid: r.mxid, ts: r.ts });
        else expect(peerGlobal.has(r.id)).toBe(false);
      }
      expect(tombstoned.size).toBeGreaterThan(0);
      for (const i of [0, 1]) {
        for (const r of rows<{ medium: string; address: string }>(i, "SELECT medium, address FROM global_threepid_associations")) expect(tombstoned.has(`${r.medium}|${r.address}`)).toBe(false);
      }
    }
    const lag = [0, 1].map((a) => rows<{ lastSentVersion: number }>(a, "SELECT lastSentVersion FROM peers")[0].lastSentVersion);
    const maxLocal = [0, 1].map((a) => rows<{ seq: number }>(a, "SELECT seq FROM sqlite_sequence WHERE name = 'local_threepid_associations'")[0].seq);
    expect(lag[0]).toBeLessThan(maxLocal[0]);
    expect(lag[1]).toBe(maxLocal[1]);
  });

  it("store real signed associations (verified with the peer's stored key), some leaking other people's invites", () => {
    const keyOf = (i: number) => Buffer.from(rows<{ key: string }>(1 - i, "SELECT key FROM peer_pubkeys")[0].key, "base64");
    let withInvites = 0;
    for (const i of [0, 1]) {
      for (const r of rows<Global>(i, "SELECT * FROM global_threepid_associations")) {
        const sg = JSON.parse(r.sgAssoc);
        const origin = g.servers.findIndex((s) => s.serverName === r.originServer);
        expect(verifySignedJson(sg, r.originServer, keyOf(origin))).toBe(true);
        expect(sg).toMatchObject({ medium: r.medium, address: r.address, mxid: r.mxid, ts: r.ts, not_before: r.notBefore, not_after: r.notAfter });
        expect(r.notAfter - r.ts).toBe(HUNDRED_YEARS_MS);
        if (sg.invites) withInvites++;
      }
    }
    expect(withInvites).toBeGreaterThan(0);
    const chloe = rows<Global>(0, "SELECT * FROM global_threepid_associations WHERE address = 'chloe.evans@example.org'")[0];
    expect(JSON.parse(chloe.sgAssoc).invites[0]).toMatchObject({ address: "bob.jones@example.com", sender: "@alice.smith:matrix.example.org", mxid: "@bob.jones:chat.example.com" });
  });

  it("use Sydent's units: ms for associations, sessions and accounts, seconds for invites and ephemeral keys", () => {
    const ref = TEST_REF.getTime();
    const ms = (v: number) => v > ref - 3 * 365 * 86_400_000 && v <= ref;
    const secs = (v: number) => v > ref / 1000 - 3 * 365 * 86_400 && v <= ref / 1000;
    for (const i of [0, 1]) {
      for (const r of rows<{ ts: number }>(i, "SELECT ts FROM local_threepid_associations UNION ALL SELECT ts FROM global_threepid_associations")) expect(ms(r.ts)).toBe(true);
      for (const r of rows<{ mtime: number }>(i, "SELECT mtime FROM threepid_validation_sessions")) expect(r.mtime).toBeGreaterThan(ref - 5 * 86_400_000);
      for (const r of rows<{ created_ts: number }>(i, "SELECT created_ts FROM accounts")) expect(ms(r.created_ts)).toBe(true);
      for (const r of rows<{ received_ts: number; sent_ts: number | null }>(i, "SELECT received_ts, sent_ts FROM invite_tokens")) {
        expect(secs(r.received_ts)).toBe(true);
        if (r.sent_ts !== null) expect(secs(r.sent_ts)).toBe(true);
      }
      for (const r of rows<{ persistence_ts: number }>(i, "SELECT persistence_ts FROM ephemeral_public_keys")) expect(secs(r.persistence_ts)).toBe(true);
      const peer = rows<{ lastPokeSucceededAt: number }>(i, "SELECT lastPokeSucceededAt FROM peers")[0];
      expect(ms(peer.lastPokeSucceededAt)).toBe(true);
    }
  });

  it("shape sessions, codes, invites and v2 accounts like Sydent", () => {
    for (const i of [0, 1]) {
      const sessions = rows<{ id: number; medium: string; clientSecret: string; validated: number }>(i, "SELECT * FROM threepid_validation_sessions");
      for (const s of sessions) {
        expect(s.id).toBeLessThan(2 ** 31);
        expect(s.clientSecret).toMatch(/^[A-Za-z0-9]{24}$/);
      }
      const auths = rows<{ medium: string; token: string; sendAttemptNumber: number }>(i, "SELECT s.medium, a.token, a.sendAttemptNumber FROM threepid_token_auths a JOIN threepid_validation_sessions s ON s.id = a.validationSession");
      expect(auths.length).toBe(sessions.length);
      for (const a of auths) {
        expect(a.token).toMatch(a.medium === "email" ? /^[A-Za-z0-9]{32}$/ : /^\d{6}$/);
        expect(a.sendAttemptNumber).toBe(-1);
      }
      for (const t of rows<{ token: string }>(i, "SELECT token FROM tokens")) expect(t.token).toMatch(/^[A-Za-z0-9]{64}$/);
      for (const t of rows<{ token: string }>(i, "SELECT token FROM invite_tokens")) expect(t.token).toMatch(/^[A-Za-z]{128}$/);
      const terms = rows<{ n: number; consent_version: string | null }>(i, "SELECT count(t.url) AS n, a.consent_version FROM accounts a LEFT JOIN accepted_terms_urls t ON t.user_id = a.user_id GROUP BY a.user_id");
      expect(terms.some((x) => x.n === 2 && x.consent_version !== null)).toBe(true);
      expect(terms.some((x) => x.n === 1 && x.consent_version === null)).toBe(true);
      const keys = rows<{ n: number }>(i, "SELECT count(*) AS n FROM ephemeral_public_keys")[0].n;
      expect(keys).toBeGreaterThanOrEqual(rows<{ n: number }>(i, "SELECT count(*) AS n FROM invite_tokens")[0].n);
    }
    expect(rows(0, "SELECT * FROM threepid_validation_sessions WHERE validated = 0").length + rows(1, "SELECT * FROM threepid_validation_sessions WHERE validated = 0").length).toBeGreaterThan(0);
  });

  it("hold what subjects.json says about each demo subject", () => {
    for (const s of buildSubjectReport(g.timeline, g.servers)) {
      for (const tp of s.threepids) {
        const i = tp.server === "is1" ? 0 : 1;
        const q = `SELECT * FROM global_threepid_associations WHERE medium = '${tp.medium}' AND address = '${tp.address}'`;
        const local = rows<Local>(i, `SELECT * FROM local_threepid_associations WHERE medium = '${tp.medium}' AND address = '${tp.address}'`);
        expect(local).toHaveLength(1);
        if (tp.state === "unbound") {
          expect(local[0].mxid).toBeNull();
          expect([...rows(0, q), ...rows(1, q)]).toHaveLength(0);
        } else {
          expect(local[0].mxid).toBe(s.mxid);
          expect(rows(i, q)).toHaveLength(1);
          expect(rows(1 - i, q)).toHaveLength(tp.state === "bound" ? 1 : 0);
        }
      }
      for (const inv of s.invitesTo) {
        const i = inv.server === "is1" ? 0 : 1;
        const stored = rows<{ sent_ts: number | null }>(i, `SELECT sent_ts FROM invite_tokens WHERE address = '${inv.address}'`);
        expect(stored.map((x) => x.sent_ts)).toEqual(inv.state === "pending" ? [null] : []);
      }
    }
  });

  it("is deterministic: the same seed gives identical rows, another seed different ones", () => {
    const again = generateForTest({ bindings: 300, logDays: 3 });
    const other = generateForTest({ bindings: 300, seed: "another", logDays: 3 });
    try {
      for (const i of [0, 1]) {
        expect(dumpDb(again.dbPaths[i])).toEqual(dumpDb(g.dbPaths[i]));
        expect(dumpDb(other.dbPaths[i])).not.toEqual(dumpDb(g.dbPaths[i]));
      }
    } finally {
      cleanup(again.dir);
      cleanup(other.dir);
    }
  });
});
