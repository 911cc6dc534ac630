import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { parseSubjectInput } from "@/lib/subjects/parse";
import { searchIdentityServers, type SearchServer } from "@/lib/subjects/search";
import { assocKey, embeddedKey, expectedOn, inviteKey, reach, sessionKey, type Probe, type TruthSubject } from "@/lib/subjects/search-truth";
import type { ServerFindings } from "@/lib/subjects/types";
import { lookupHash } from "@/lib/sydent/lookup-hash";
import { closeSydent } from "@/lib/sydent/open";
import { copyFixture, FIXTURE_DIR, INSTANCES, tempDir, truth, type Instance } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Every subject of truth.json, searched by each of its identifiers (every spelling seen, the
// phone number as typed nationally, the Matrix ID, the lookup hash of each server), expanded and
// not: the findings on each server must be exactly what truth.json lists.

useTestConsoleDb();
const full = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, "truth.json"), "utf8")) as {
  subjects: TruthSubject[];
  reference_now: string;
};
const NOW = Date.parse(full.reference_now);
const serverName = Object.fromEntries(INSTANCES.map((i) => [i, truth.instances[i].server_name])) as Record<Instance, string>;
const dir = tempDir();
const servers: Record<Instance, SearchServer> = {} as never;

beforeAll(async () => {
  for (const i of INSTANCES) {
    const row = await db().identityServer.create({ data: { label: i, serverName: serverName[i], dbPath: copyFixture(i, dir) } });
    servers[i] = { id: row.id, label: row.label, serverName: row.serverName };
  }
});
afterAll(async () => {
  await closeSydent();
  fs.rmSync(dir, { recursive: true, force: true });
});

function probesOf(s: TruthSubject): Probe[] {
  const out: Probe[] = [];
  for (const t of s.threepids) {
    if (t.medium === "email") for (const sp of new Set([t.address, ...t.spellings_seen])) out.push({ label: `email ${sp}`, kind: "email", raw: sp, threepid: t });
    else {
      out.push({ label: `msisdn ${t.address}`, kind: "phone", raw: `+${t.address}`, threepid: t });
      if (t.address.startsWith("44")) out.push({ label: "UK national form", kind: "phone", raw: `0${t.address.slice(2, 6)} ${t.address.slice(6)}`, threepid: t });
    }
    if (t.state === "bound") for (const i of INSTANCES) out.push({ label: `hash@${i}`, kind: "hash", raw: lookupHash(t.medium, t.address, truth.instances[i].pepper), threepid: t });
  }
  if (s.mxid) out.push({ label: "mxid", kind: "mxid", raw: s.mxid });
  return out;
}

function actual(f: ServerFindings) {
  const acct = f.accounts ?? [];
  return {
    associations: f.associations.map((a) => assocKey(a.table, a.medium, a.address, a.mxid, a.originServer)).sort(),
    invitesTo: f.invitesTo.map((x) => inviteKey(x, x.sentTs !== null)).sort(),
    invitesFrom: f.invitesFrom.map((x) => inviteKey(x, x.sentTs !== null)).sort(),
    sessions: f.sessions.map((x) => sessionKey(x.sid, x.addressAsStored, x.validated)).sort(),
    embedded: f.embeddedInOthers.map((e) => embeddedKey(e.globalId, e.rowMedium, e.rowAddress, e.rowMxid, e.originServer, e.presentAs ?? [])).sort(),
    account: acct,
  };
}

describe.each(full.subjects.map((s) => [s.key, s] as const))("subject %s", (_key, s) => {
  for (const expand of [true, false]) {
    it.each(probesOf(s).map((p) => [p.label, p] as const))(`expand=${expand}: by %s`, async (_l, probe) => {
      const parsed = parseSubjectInput(probe.kind, probe.raw);
      expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
      if (!parsed.ok) return;
      const r = reach(s, probe, expand);
      const res = await searchIdentityServers(parsed.query, { expand, servers: INSTANCES.map((i) => servers[i]), nowMs: NOW });
      expect(res.expanded).toBe(expand);
      const wants = INSTANCES.map((i) => expectedOn(s, r, i, serverName));
      const anything = wants.some((w) => w.account.present || [w.associations, w.invitesTo, w.invitesFrom, w.sessions, w.embedded].some((l) => l.length > 0));
      expect(res.foundAnywhere).toBe(anything);
      expect(res.identifiers.mxids).toEqual([...r.mxids].sort());
      expect(res.identifiers.emails).toEqual(r.threepids.filter((t) => t.medium === "email").map((t) => t.address).sort());
      expect(res.identifiers.msisdns).toEqual(r.threepids.filter((t) => t.medium === "msisdn").map((t) => t.address).sort());
      const sids = new Set<string>();
      for (const [n, i] of INSTANCES.entries()) {
        const f = res.servers[n];
        expect(f.ok, f.error).toBe(true);
        const want = wants[n];
        const got = actual(f);
        expect(got.associations, `associations on ${i}`).toEqual(want.associations);
        expect(got.invitesTo, `invites to, on ${i}`).toEqual(want.invitesTo);
        expect(got.invitesFrom, `invites from, on ${i}`).toEqual(want.invitesFrom);
        expect(got.sessions, `sessions on ${i}`).toEqual(want.sessions);
        expect(got.embedded, `embedded on ${i}`).toEqual(want.embedded);
        if (want.account.present) {
          expect(got.account).toHaveLength(1);
          expect(got.account[0]).toMatchObject({ userId: s.mxid, consentVersion: want.account.consent_version, activeTokens: want.account.tokens_active });
          expect(got.account[0].acceptedTermsUrls).toEqual([...want.account.accepted_urls!].sort());
          expect(f.account?.userId).toBe(s.mxid);
        } else expect(got.account).toEqual([]);
        for (const x of f.sessions) sids.add(x.sid);
        checkRows(f, i);
      }
      expect(res.identifiers.sids).toEqual([...sids].sort());
    });
  }
});

/** Tombstones, peer delivery, lookup validity and invites-in-sgAssoc agree with truth.json's db_summary. */
function checkRows(f: ServerFindings, i: Instance) {
  const summary = truth.db_summary[i];
  for (const a of f.associations) {
    if (a.table === "local") {
      const tomb = summary.tombstones.some((t) => t.id === a.id && t.medium === a.medium && t.address === a.address);
      expect(a.state === "tombstone", `local ${a.id} tombstone`).toBe(tomb);
      expect(a.deliveredTo).toEqual(summary.peers.map((p) => ({ peer: p.name, active: p.active === 1, received: p.lastSentVersion >= a.id })));
    } else {
      expect(a.answersLookupsNow).toBe(true);
      expect(a.sgAssocCarriesInvites).toBe(summary.sgassoc_rows_with_invites.some((x) => x.global_id === a.id));
    }
  }
}

describe("edge cases", () => {
  it("a person on no server: foundAnywhere false, every server searched", async () => {
    const q = parseSubjectInput("email", "nobody.at.all@nowhere.example");
    if (!q.ok) throw new Error(q.message);
    const res = await searchIdentityServers(q.query, { expand: true, servers: INSTANCES.map((i) => servers[i]) });
    expect(res.foundAnywhere).toBe(false);
    expect(res.servers.map((s) => s.ok)).toEqual([true, true]);
  });

  it("defaults to every enabled registered server", async () => {
    const q = parseSubjectInput("mxid", full.subjects.find((s) => s.mxid)!.mxid!);
    if (!q.ok) throw new Error(q.message);
    const res = await searchIdentityServers(q.query, { expand: true });
    expect(res.servers.map((s) => s.server.label).sort()).toEqual([...INSTANCES]);
  });

  it("a missing database: that server ok:false with an error, the other still searched", async () => {
    const s = full.subjects.find((x) => x.threepids.some((t) => t.state === "bound"))!;
    const t = s.threepids.find((x) => x.state === "bound")!;
    const q = parseSubjectInput(t.medium === "email" ? "email" : "phone", t.medium === "email" ? t.address : `+${t.address}`);
    if (!q.ok) throw new Error(q.message);
    const gone = { id: "gone", label: "gone", serverName: "gone.example", dbPath: path.join(dir, "absent.db") };
    const res = await searchIdentityServers(q.query, { expand: true, servers: [gone, servers.is1] });
    expect(res.servers[0]).toMatchObject({ ok: false, associations: [] });
    expect(res.servers[0].error).toMatch(/No file/);
    expect(res.servers[0].error).not.toContain(t.address);
    expect(res.servers[1].ok).toBe(true);
    expect(res.servers[1].associations.length).toBeGreaterThan(0);
    expect(res.foundAnywhere).toBe(true);
  });

  it("records statement timings, including the chunked Matrix ID scan", async () => {
    const q = parseSubjectInput("mxid", full.subjects.find((s) => s.mxid)!.mxid!);
    if (!q.ok) throw new Error(q.message);
    const res = await searchIdentityServers(q.query, { expand: true, servers: [servers.is1] });
    expect(Object.keys(res.servers[0].timingsMs)).toEqual(expect.arrayContaining(["local by mxid (chunk)", "global by mxid (chunk)", "slowest statement"]));
  });
});
