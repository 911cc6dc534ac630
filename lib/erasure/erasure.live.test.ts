import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { runErasureJob } from "@/lib/erasure/engine";
import { approveBulkBatch, createBulkBatch, executeBulkBatch } from "@/lib/erasure/bulk";
import { jobSteps, liveWorld, loadFailures, sydentAnswers, tombstonesDelivered, underLoad, waitFor, type LiveWorld } from "@/lib/erasure/live-world";
import { runPhase2 } from "@/lib/erasure/phase2";
import { buildReceipt } from "@/lib/erasure/receipt";
import { approvedJob, findingsForSubject, fullTruth } from "@/lib/erasure/testing";
import { generatePackage } from "@/lib/exports/workflow";
import { encryptSecret } from "@/lib/keys";
import { seedRequest } from "@/lib/requests/testing";
import { setSydentMode } from "@/lib/servers/sydent-mode";
import type { TruthSubject } from "@/lib/subjects/search-truth";
import { closeSydent, sydentRaw } from "@/lib/sydent/open";
import { INSTANCES } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { LiveSydent } from "@/lib/test/sydent-live";

// Custodian against two real, replicating Sydent 2.7.0 servers while the kit's load driver runs:
// searches, an access package, erasures of several subjects (bob: invites and a v2 account on is1;
// dave: v2 account on is2, origin is2; rosa: invites), a bulk batch, then phase 2's maintenance
// window (Sydent stopped by "the service manager", declared stopped, the direct deletions and
// tombstone pruning, Sydent restarted and declared live). Fails on any Sydent error line, any
// failed load request, and any v1 or bulk lookup that still answers for an erased person on
// either server (asked through Sydent's HTTP API).

useTestConsoleDb();
let live: LiveSydent;
let w: LiveWorld;
const subject = (key: string) => fullTruth.subjects.find((s) => s.key === key)!;
const bound = (s: TruthSubject) => s.threepids.filter((t) => t.state === "bound");
const erased: TruthSubject[] = [];
const jobs: string[] = [];

beforeAll(async () => {
  live = await LiveSydent.start();
  w = await liveWorld(live);
});
afterAll(async () => {
  await closeSydent();
  await live?.dispose();
});

async function expectSilent(s: TruthSubject) {
  for (const i of INSTANCES) {
    for (const t of s.threepids) {
      const a = await sydentAnswers(live, i, t.medium, t.address);
      expect(a, `${s.key} ${t.medium} on ${i}`).toEqual({ v1Status: 200, v1Mxid: null, bulkStatus: 200, bulkFound: 0 });
    }
  }
}

async function expectNoSydentErrors(sinceIso?: string) {
  const e = await live.errors(sinceIso);
  expect({ log: e.totals, console: e.console_totals, first: e.instances }).toMatchObject({
    log: { error: 0, traceback: 0, database_is_locked: 0, already_exists: 0 },
    console: { error: 0, traceback: 0, database_is_locked: 0, already_exists: 0 },
  });
}

describe("Custodian under load against live Sydent", () => {
  it("searches, packages and phase 1 of three erasures and a bulk batch: Sydent answers nothing for them, logs no error, the load sees no failure", async () => {
    const { loads } = await underLoad(live, async () => {
      // Searches (every identifier of two people) and an access package for one of them.
      const alice = subject("alice");
      const found = await findingsForSubject(w, alice);
      expect(found.servers.every((s) => s.ok)).toBe(true);
      const r = await seedRequest({ createdById: w.requester.id!, receivedAt: new Date(), type: "access" });
      const email = alice.threepids[0].address;
      await db().requestSubject.create({ data: { requestId: r.id, type: "email", valueEnc: encryptSecret(email, "subject-identifier-v1"), pseudonym: pseudonymFor("email", email), masked: "a•••@e••••.org", addedById: w.requester.id! } });
      const pkg = await generatePackage(w.requester, r.id, "access", { find: async () => found });
      expect(pkg.ok).toBe(true);

      // Single erasures: the bindings go through Sydent's internal API, the rest waits for a window.
      for (const key of ["bob", "dave", "rosa"]) {
        const s = subject(key);
        const { jobId } = await approvedJob(w, await findingsForSubject(w, s));
        const run = await runErasureJob(jobId, w.executor);
        expect(run, key).toMatchObject({ state: "phase2_pending" });
        const steps = await jobSteps(jobId);
        const unbinds = steps.filter((x) => x.kind === "tombstoneAndDeleteGlobal");
        expect(unbinds.length, key).toBeGreaterThan(0);
        for (const u of unbinds) expect(JSON.parse(u.result!).via, key).toBe("internal-api");
        const waiting = steps.filter((x) => x.state === "waiting");
        // Everything without a Sydent API waits for a maintenance window: v2 account (all three), invites.
        expect(waiting.map((x) => x.kind), key).toContain("deleteAccount");
        if (key !== "dave") expect(waiting.some((x) => x.kind.startsWith("deleteInvites")), key).toBe(true);
        for (const x of waiting) expect(["deleteSessions", "deleteInvitesTo", "deleteInvitesFrom", "deleteAccount", "pruneTombstone", "verify"], key).toContain(x.kind);
        for (const x of waiting) expect(x.waitingFor, key).toMatch(x.kind === "verify" ? /the maintenance steps on is[12] before it/ : /maintenance window on is[12]: stop Sydent/);
        erased.push(s);
        jobs.push(jobId);
      }

      // A bulk batch of deactivated Matrix IDs (origins on both servers).
      const batchKeys = ["emile", "xavier"]; // neither embeds the others' invites (their rows stay untouched until now)
      const csv = ["mxid", ...batchKeys.map((k) => subject(k).mxid)].join("\n");
      const servers = INSTANCES.map((i) => w.servers[i]);
      const b = await createBulkBatch({ fileName: "deactivated.csv", content: Buffer.from(csv), reason: "account_deactivated", createdBy: w.requester }, { servers, awaitDryRun: true });
      if (!b.ok) throw new Error(b.message);
      expect(await approveBulkBatch({ batchId: b.batchId, approver: w.approver })).toEqual({ ok: true });
      expect(await executeBulkBatch({ batchId: b.batchId, executor: w.executor }, { servers })).toEqual({ ok: true, state: "done" });
      const batchJobs = await db().erasureJob.findMany({ where: { batchId: b.batchId } });
      expect(batchJobs.map((j) => j.state)).toEqual(batchKeys.map(() => "phase2_pending"));
      jobs.push(...batchJobs.map((j) => j.id));
      erased.push(...batchKeys.map(subject));
    });
    expect(loadFailures(loads)).toMatchObject({ failures: 0, byKindStatus: [], mismatches: [] });
    expect(loadFailures(loads).requests).toBeGreaterThan(100);
    for (const s of erased) await expectSilent(s);
    await expectNoSydentErrors();
  });

  it("the peers received the tombstones: every active peer's lastSentVersion passed them", async () => {
    for (const i of INSTANCES) {
      const mine = erased.flatMap(bound).filter((t) => t.origin === i);
      await waitFor(`${i}'s tombstones to reach its peer`, () => tombstonesDelivered(w.files[i], mine).delivered);
      expect(tombstonesDelivered(w.files[i], mine).maxId).toBeGreaterThan(0);
    }
  });

  it("phase 2 waits for a maintenance window, refuses one declared while Sydent runs, and finishes inside one", async () => {
    // While Sydent runs nothing direct happens, and declaring it stopped is refused.
    const before = await runPhase2(new Date(), w.executor);
    for (const r of before.filter((x) => jobs.includes(x.jobId))) {
      expect(r.state).toBe("phase2_pending");
      expect(r.pending.some((p) => p.kind === "maintenance")).toBe(true);
    }
    const refused = await setSydentMode(w.admin, { id: w.servers.is1.id, mode: "stopped", note: "maintenance window 1" });
    expect(refused).toMatchObject({ ok: false });
    expect(refused.ok ? "" : refused.message).toMatch(/answers|Sydent process/);

    // The window: the service manager stops Sydent; the operator declares it; phase 2 runs. (The kit
    // stops both servers; a push to a peer already stopped may log Sydent's "Error pushing updates":
    // no error before the stop, and none from the restart on.)
    await expectNoSydentErrors();
    await live.stop();
    for (const i of INSTANCES) expect(await setSydentMode(w.admin, { id: w.servers[i].id, mode: "stopped", note: "maintenance window 1" })).toMatchObject({ ok: true });
    const during = await runPhase2(new Date(), w.executor);
    for (const id of jobs) expect(during.find((r) => r.jobId === id), id).toMatchObject({ state: "completed", pending: [] });
    for (const i of INSTANCES) expect(await setSydentMode(w.admin, { id: w.servers[i].id, mode: "live", note: "maintenance window 1 over" })).toMatchObject({ ok: true });
    await closeSydent();
    await live.restart();
    // One replication cycle (10 s) for the servers' own start-up: a push that races the peer's
    // start logs "Error pushing updates" before Custodian does anything. From then on, every line counts.
    await new Promise((r) => setTimeout(r, 12_000));
    const restartedAt = new Date().toISOString();

    // Nothing about the erased people is left in any store; the receipts say how it was written.
    for (const s of erased.filter((x) => x.mxid)) {
      for (const i of INSTANCES) {
        const d = sydentRaw(w.files[i]);
        for (const [table, col] of [["accounts", "user_id"], ["tokens", "user_id"], ["accepted_terms_urls", "user_id"], ["invite_tokens", "sender"]] as const) {
          expect((d.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${col} = ?`).get(s.mxid) as { n: number }).n, `${s.key} ${table} ${i}`).toBe(0);
        }
        for (const t of s.threepids) expect((d.prepare("SELECT count(*) AS n FROM invite_tokens WHERE address = ?").get(t.address) as { n: number }).n).toBe(0);
      }
    }
    const receipt = await buildReceipt(jobs[0]);
    expect(receipt.state).toBe("completed");
    expect(receipt.servers.find((s) => s.server === "is1")?.stores["accounts"]).toMatchObject({ deleted: 1 });

    // After the restart Sydent serves the load without a failure or an error line, and still answers nothing for them.
    const { loads } = await underLoad(live, async () => {
      for (const s of erased) await expectSilent(s);
    }, 10, 8);
    expect(loadFailures(loads)).toMatchObject({ failures: 0, byKindStatus: [], mismatches: [] });
    await expectNoSydentErrors(restartedAt);
  });
});
