import fs from "node:fs";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { verifyAccessLog } from "@/lib/audit/verify";
import { db } from "@/lib/db";
import { runErasureJob } from "@/lib/erasure/engine";
import { runPhase2 } from "@/lib/erasure/phase2";
import { buildReceipt } from "@/lib/erasure/receipt";
import { approvedJob, dumpDb, findingsForSubject, fullTruth, needlesOf, NOW_MS, retireWorld, rowsMentioning, setupWorld } from "@/lib/erasure/testing";
import { verifyServer } from "@/lib/erasure/verify";
import { casefold } from "@/lib/sydent/normalise";
import { INSTANCES, tempDir, truth, type Instance } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Issue 4 "done when": on copies of both fixture databases, erasing each subject of truth.json
// leaves no row holding that person's data on either server except tombstones still owed to a
// peer (plain SQL over every table and column, sgAssoc included), Sydent's lookups find nothing,
// other people's bindings are untouched except rows embedding this subject (deleted; tombstoned
// on their origin so the owner can re-bind); after the peers have received the tombstones,
// phase 2 prunes them and nothing at all is left.

useTestConsoleDb();
const root = tempDir();
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const NOW = () => new Date(NOW_MS);
const serverName = (i: Instance) => truth.instances[i].server_name;
const key = (m: unknown, a: unknown) => `${m}:${casefold(String(a))}`;

describe.each(fullTruth.subjects.map((s) => [s.key, s] as const))("erasing %s", (k, s) => {
  it("leaves nothing but owed tombstones, lookups empty, others untouched; phase 2 finishes", async () => {
    const w = await setupWorld(`${root}/${k}`);
    try {
      const before = Object.fromEntries(INSTANCES.map((i) => [i, dumpDb(w.files[i])])) as Record<Instance, ReturnType<typeof dumpDb>>;
      const f = await findingsForSubject(w, s);
      expect(f.foundAnywhere).toBe(true);
      const { jobId, plan } = await approvedJob(w, f);
      const r = await runErasureJob(jobId, w.executor, { now: NOW });
      expect(["phase2_pending", "completed"]).toContain(r.state);

      const spellings = s.threepids.flatMap((t) => t.spellings_seen).concat(s.validation_sessions.map((x) => x.address_as_stored));
      const needles = needlesOf(f.identifiers, spellings);
      for (const i of INSTANCES) {
        // 1. Only tombstones still owed to an active peer may hold the address.
        const peers = dumpDb(w.files[i]).peers.filter((p) => p.active === 1);
        for (const hit of rowsMentioning(w.files[i], needles)) {
          expect(hit.table, `${i}: ${JSON.stringify(hit.row).slice(0, 200)}`).toBe("local_threepid_associations");
          expect(hit.row.mxid).toBeNull();
          expect(peers.some((p) => Number(p.lastSentVersion) < Number(hit.row.id))).toBe(true);
        }
        // 2. The lookups Sydent runs find nothing.
        const v = await verifyServer(w.files[i], f.identifiers, { nowMs: NOW_MS });
        expect(v.lookups).toMatchObject({ v1Found: 0, bulkFound: 0, v2Found: 0, storeInviteInUse: 0 });
        expect(v.leftovers).toEqual({});
      }
      // 3. Exactly one tombstone per erased binding that originated on a registered server.
      for (const t of s.threepids.filter((x) => x.state === "bound" && x.origin)) {
        const rows = dumpDb(w.files[t.origin!]).local_threepid_associations.filter((x) => key(x.medium, x.address) === key(t.medium, t.address));
        expect(rows.map((x) => x.mxid)).toEqual([null]);
      }
      // 4. Other people's bindings: untouched, except rows embedding this subject (truth.json).
      const embedded = s.data_inside_other_rows_sgAssoc ?? [];
      for (const i of INSTANCES) {
        const after = dumpDb(w.files[i]);
        const myEmbeds = embedded.filter((e) => e.instance === i);
        const tombstoned = new Set(myEmbeds.filter((e) => e.row_originServer === serverName(i)).map((e) => key(e.row_medium, e.row_address)));
        const erasedKeys = new Set([...f.identifiers.emails.map((a) => key("email", a)), ...f.identifiers.msisdns.map((a) => key("msisdn", a))]);
        const globalAfter = new Map(after.global_threepid_associations.map((g) => [g.id, g]));
        for (const g of before[i].global_threepid_associations) {
          if (erasedKeys.has(key(g.medium, g.address)) || f.identifiers.mxids.includes(String(g.mxid))) continue;
          const expectGone = myEmbeds.some((e) => e.global_id === g.id) || tombstoned.has(key(g.medium, g.address));
          expect(globalAfter.has(g.id), `${i} global ${g.id}`).toBe(!expectGone);
          if (!expectGone) expect(globalAfter.get(g.id)).toEqual(g);
        }
        const localAfter = new Map(after.local_threepid_associations.map((l) => [key(l.medium, l.address), l]));
        for (const l of before[i].local_threepid_associations) {
          const kk = key(l.medium, l.address);
          if (erasedKeys.has(kk)) continue;
          if (tombstoned.has(kk) && l.mxid !== null) expect(localAfter.get(kk)?.mxid, `${i} local ${kk}`).toBeNull();
          else expect(localAfter.get(kk)).toEqual(l);
        }
      }
      // 5. Phase 2: once every active peer has every local row, tombstones go and nothing is left.
      for (const i of INSTANCES) {
        const d = new Database(w.files[i]);
        d.prepare("UPDATE peers SET lastSentVersion = (SELECT max(id) FROM local_threepid_associations) WHERE active = 1").run();
        d.close();
      }
      await runPhase2(NOW(), w.executor);
      const job = await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } });
      expect(job.state).toBe("completed");
      // The request stays open until phase 2 is complete, and is closed then.
      const request = await db().request.findUniqueOrThrow({ where: { id: job.requestId } });
      expect(request.closedAt).not.toBeNull();
      expect(request.state).toBe("completed");
      for (const i of INSTANCES) expect(rowsMentioning(w.files[i], needles).map((h) => h.table)).toEqual([]);
      // 6. The receipt: counts and masked identifier only, linked into the access-log chain.
      const receipt = await buildReceipt(jobId);
      const text = casefold(JSON.stringify(receipt));
      for (const n of needles.texts) expect(text.includes(n)).toBe(false);
      expect(receipt.accessLog).not.toBeNull();
      expect(receipt.servers.every((x) => x.verification?.ok)).toBe(true);
      expect(plan.nothingHeld).toBe(false);
      expect((await verifyAccessLog(db())).ok).toBe(true);
    } finally {
      await retireWorld(w);
    }
  });
});
