import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { approveBulkBatch, createBulkBatch, executeBulkBatch } from "@/lib/erasure/bulk";
import { liveWorld, loadFailures, sydentAnswers, underLoad, waitFor, type LiveWorld } from "@/lib/erasure/live-world";
import { buildReceipt } from "@/lib/erasure/receipt";
import { fullTruth } from "@/lib/erasure/testing";
import { closeSydent } from "@/lib/sydent/open";
import { INSTANCES, type Instance } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { LiveSydent } from "@/lib/test/sydent-live";

// A bystander who is being erased too (two real, replicating Sydent 2.7.0 servers, under load).
// alice's invite data leaked into other people's signed associations (sydent.md 2.1); those
// people are re-issued by Sydent (unbind, tombstone delivered, bind) so that they stay bound. When
// one of them is a later row of the SAME bulk batch, the first pass of the page unbinds them for
// alice's re-issue before their own job runs; binding them again would undo their own erasure.
// The re-issue asks, at the moment of binding, whether the person's own erasure is approved, and
// leaves them unbound: both end erased, Sydent answers nothing for either on either server.

useTestConsoleDb();
let live: LiveSydent;
let w: LiveWorld;
const alice = fullTruth.subjects.find((s) => s.key === "alice")!;
type Embed = { instance: Instance; row_medium: string; row_address: string; row_mxid: string; row_originServer: string };
const embeds = (alice as unknown as { data_inside_other_rows_sgAssoc: Embed[] }).data_inside_other_rows_sgAssoc;
const other = embeds[0];

beforeAll(async () => {
  live = await LiveSydent.start();
  w = await liveWorld(live);
});
afterAll(async () => {
  await closeSydent();
  await live?.dispose();
});

describe("a bystander who is in the same bulk batch (live Sydent)", () => {
  it("is unbound by the re-issue and not bound again: both people end erased, nobody else is touched", async () => {
    expect(other, "the fixture has rows embedding alice").toBeTruthy();
    expect(other.row_address).not.toBe(alice.threepids[0].address);
    const csv = ["medium,address", `${alice.threepids[0].medium},${alice.threepids[0].address}`, `${other.row_medium},${other.row_address}`].join("\n");
    const servers = INSTANCES.map((i) => w.servers[i]);
    const since = new Date().toISOString();
    const { result: state, loads } = await underLoad(live, async () => {
      const b = await createBulkBatch({ fileName: "two.csv", content: Buffer.from(csv), reason: "own_request", createdBy: w.requester }, { servers, awaitDryRun: true });
      if (!b.ok) throw new Error(b.message);
      expect(await approveBulkBatch({ batchId: b.batchId, approver: w.approver })).toEqual({ ok: true });
      const r = await executeBulkBatch({ batchId: b.batchId, executor: w.executor }, { servers });
      return { r, batchId: b.batchId };
    });
    const jobs = await db().erasureJob.findMany({ where: { batchId: state.batchId }, select: { id: true, state: true, pausedReason: true, subjectPseudonym: true } });
    expect(state.r, JSON.stringify(jobs)).toEqual({ ok: true, state: "done" });
    expect(jobs.map((j) => j.state).sort()).toEqual(["phase2_pending", "phase2_pending"]);

    // Sydent answers nothing for either person on either server (the peer within a push or two).
    for (const t of [{ medium: alice.threepids[0].medium, address: alice.threepids[0].address }, { medium: other.row_medium, address: other.row_address }]) {
      for (const i of INSTANCES) {
        await waitFor(`${t.address} silent on ${i}`, async () => (await sydentAnswers(live, i, t.medium, t.address)).v1Mxid === null, 60_000);
        expect(await sydentAnswers(live, i, t.medium, t.address), `${t.address} on ${i}`).toEqual({ v1Status: 200, v1Mxid: null, bulkStatus: 200, bulkFound: 0 });
      }
    }

    // alice's job says, under the other person's pseudonym, that they were left unbound for their own erasure.
    const aliceJob = jobs.find((j) => j.subjectPseudonym === pseudonymFor("email", alice.threepids[0].address))!;
    const logged = await db().accessLogEntry.findMany({ where: { action: "erasure.bystander", targetPseudonym: pseudonymFor(other.row_medium as "email", other.row_address) } });
    const actions = logged.map((e) => (JSON.parse(e.details ?? "{}") as { jobId?: string; action?: string })).filter((d) => d.jobId === aliceJob.id).map((d) => d.action);
    expect(actions).toContain("left_unbound_own_erasure");
    const receipt = await buildReceipt(aliceJob.id);
    expect(receipt.bystanders!.some((l) => l.action === "unbound (their own erasure is approved)" && l.pseudonym === pseudonymFor(other.row_medium as "email", other.row_address))).toBe(true);
    expect(receipt.bystanders!.filter((l) => l.pseudonym !== pseudonymFor(other.row_medium as "email", other.row_address)).every((l) => l.action.startsWith("kept bound"))).toBe(true);

    // Everyone else whose row embedded alice is still found, by their own Matrix ID.
    for (const e of embeds.filter((x) => x.row_address !== other.row_address)) {
      for (const i of INSTANCES) {
        await waitFor(`${e.row_address} bound on ${i}`, async () => (await sydentAnswers(live, i, e.row_medium, e.row_address)).v1Mxid === e.row_mxid, 90_000);
      }
    }

    const errors = await live.errors(since);
    expect({ log: errors.totals, console: errors.console_totals }).toMatchObject({
      log: { error: 0, traceback: 0, database_is_locked: 0, already_exists: 0 },
      console: { error: 0, traceback: 0, database_is_locked: 0, already_exists: 0 },
    });
    expect(loadFailures(loads)).toMatchObject({ failures: 0, byKindStatus: [], mismatches: [] });
  });
});
