import fs from "node:fs";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { countSgAssocWithInvites } from "@/lib/sydent/invite-scan";
import { closeSydent, sydentRaw } from "@/lib/sydent/open";
import { sydentOverview, type OverviewResult } from "@/lib/sydent/overview";
import { STUCK_AFTER_MS } from "@/lib/sydent/peers";
import { copyFixture, fixtureDb, INSTANCES, tempDir, truth } from "@/lib/sydent/test-fixtures";

const dir = tempDir();
afterAll(async () => {
  await closeSydent();
  fs.rmSync(dir, { recursive: true, force: true });
});

function ok(r: OverviewResult) {
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return r;
}

describe.each(INSTANCES)("overview of %s matches truth.json", (i) => {
  const summary = truth.db_summary[i];
  const serverName = truth.instances[i].server_name;
  const overview = () => sydentOverview(fixtureDb(i), { serverName }).then(ok);

  it("row counts per table", async () => {
    expect((await overview()).counts).toEqual(summary.counts);
  });

  it("pepper present, newest local id, tombstones, rows by origin, sgAssoc rows with invites", async () => {
    const o = await overview();
    expect(o.pepperPresent).toBe(true);
    expect(o.newestLocalId).toBe(summary.max_local_id);
    expect(o.tombstones).toBe(summary.tombstones.length);
    expect(o.globalByOrigin).toEqual(summary.global_by_origin);
    expect(o.sgAssocWithInvites).toBe(summary.sgassoc_rows_with_invites.length);
    expect(o.warnings).toEqual([]);
  });

  it("peers: name, active, lastSentVersion, last push; caught up, so nothing is stuck", async () => {
    const o = await overview();
    expect(o.peers.map((p) => ({ name: p.name, active: p.active, lastSentVersion: p.lastSentVersion, at: p.lastPokeSucceededAt }))).toEqual(
      summary.peers.map((p) => ({ name: p.name, active: p.active === 1, lastSentVersion: p.lastSentVersion, at: new Date(p.lastPokeSucceededAt).toISOString() })),
    );
    for (const p of o.peers) {
      expect(p.backlog).toBe(summary.max_local_id - p.lastSentVersion!);
      expect(p.stuck).toBe(false);
    }
  });

  it("reports a timing for every statement it ran, the chunked invite scan included (speed itself: npm run bench)", async () => {
    const o = await overview();
    expect(o.timings.length).toBeGreaterThan(1);
    expect(o.timings.map((t) => t.label)).toContain("sgAssoc id range");
    for (const t of o.timings) {
      expect(t.label, "label").not.toBe("");
      expect(Number.isFinite(t.ms) && t.ms >= 0, t.label).toBe(true);
    }
  });

  it("the chunked sgAssoc scan agrees with a plain full-table count, whatever the chunk size", async () => {
    const plain = new Database(fixtureDb(i), { readonly: true });
    const expected = plain
      .prepare(`SELECT count(*) FROM global_threepid_associations WHERE json_array_length(sgAssoc, '$.invites') > 0`)
      .pluck()
      .get();
    plain.close();
    for (const chunk of [1, 7, 5000]) expect(await countSgAssocWithInvites(sydentRaw(fixtureDb(i)), [], chunk)).toBe(expected);
  });
});

describe("stuck replication", () => {
  const peer = truth.db_summary.is1.peers[0];
  const file = copyFixture("is1", dir);
  const w = new Database(file);
  // The peer acknowledged 3 ids fewer than the newest local id.
  w.prepare(`UPDATE peers SET lastSentVersion = ? WHERE name = ?`).run(truth.db_summary.is1.max_local_id - 3, peer.name);
  w.close();

  it("behind with an old last push: stuck, backlog = newest id - lastSentVersion", async () => {
    const o = ok(await sydentOverview(file, { now: peer.lastPokeSucceededAt + STUCK_AFTER_MS + 1 }));
    expect(o.peers[0]).toMatchObject({ name: peer.name, backlog: 3, stuck: true });
    const plain = new Database(file, { readonly: true });
    const pending = plain.prepare(`SELECT count(*) FROM local_threepid_associations WHERE id > ?`).pluck().get(truth.db_summary.is1.max_local_id - 3);
    plain.close();
    expect(o.peers[0].pendingRows).toBe(pending);
  });

  it("behind but pushed recently: catching up, not stuck", async () => {
    const o = ok(await sydentOverview(file, { now: peer.lastPokeSucceededAt + 60_000 }));
    expect(o.peers[0]).toMatchObject({ backlog: 3, stuck: false });
  });
});

describe("consistency warnings", () => {
  it("a wrong server.name is noticed", async () => {
    const o = ok(await sydentOverview(fixtureDb("is1"), { serverName: "is9.example" }));
    expect(o.warnings.join("\n")).toMatch(/No global row has originServer is9\.example/);
  });

  it("a missing pepper and a peer without key are noticed", async () => {
    const file = copyFixture("is2", tempDir());
    const w = new Database(file);
    w.exec(`DELETE FROM hashing_metadata; DELETE FROM peer_pubkeys;`);
    w.close();
    const o = ok(await sydentOverview(file, { serverName: truth.instances.is2.server_name }));
    expect(o.pepperPresent).toBe(false);
    expect(o.warnings).toHaveLength(2);
  });

  it("errors come back classified, not thrown", async () => {
    const o = await sydentOverview(`${dir}/absent.db`);
    expect(o.ok ? null : o.error.kind).toBe("missing");
  });
});
