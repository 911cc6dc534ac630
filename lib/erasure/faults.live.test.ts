import { spawnSync } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { runErasureJob } from "@/lib/erasure/engine";
import { jobSteps, liveWorld, loadFailures, sydentAnswers, underLoad, type LiveWorld } from "@/lib/erasure/live-world";
import { buildReceipt } from "@/lib/erasure/receipt";
import { approvedJob, findingsForSubject, fullTruth } from "@/lib/erasure/testing";
import { closeSydent } from "@/lib/sydent/open";
import { INSTANCES } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { LiveSydent } from "@/lib/test/sydent-live";

// Faults against live Sydent: its internal API refusing or not answering, a server declared
// stopped while Sydent runs, Sydent stopped and restarted mid-job, a runner killed mid-step and
// resumed (with the lease it left behind reported, not hidden). Each pauses with a clear reason,
// nothing half-applied (Sydent still answers for the person until the unbind really happened), and
// the job finishes correctly once Sydent is back. The load driver runs beside all but the stop.

useTestConsoleDb();
let live: LiveSydent;
let w: LiveWorld;
const TSX = path.resolve("node_modules/.bin/tsx");
const subject = (key: string) => fullTruth.subjects.find((s) => s.key === key)!;

beforeAll(async () => {
  live = await LiveSydent.start();
  w = await liveWorld(live);
});
afterAll(async () => {
  await closeSydent();
  await live?.dispose();
});

async function answersOnIs1(key: string) {
  const t = subject(key).threepids[0];
  return (await sydentAnswers(live, "is1", t.medium, t.address)).v1Mxid;
}
async function silentEverywhere(key: string) {
  for (const i of INSTANCES) for (const t of subject(key).threepids) expect(await sydentAnswers(live, i, t.medium, t.address), `${key} ${i}`).toMatchObject({ v1Mxid: null, bulkFound: 0 });
}
const jobFor = async (key: string) => (await approvedJob(w, await findingsForSubject(w, subject(key)))).jobId;
const setIs1 = (data: { internalApiUrl?: string; sydentMode?: string }) => db().identityServer.update({ where: { id: w.servers.is1.id }, data });

describe("faults against live Sydent, under load", () => {
  it("internal API refusing, silent, a server wrongly declared stopped, a killed runner: clear pauses, nothing half-applied, finished once fixed", async () => {
    const good = live.instance("is1").internal_url;
    const { loads } = await underLoad(live, async () => {
      // 1. Refusing: a loopback port nothing listens on.
      const closed = net.createServer();
      await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
      const port = (closed.address() as net.AddressInfo).port;
      await new Promise((r) => closed.close(r));
      await setIs1({ internalApiUrl: `http://127.0.0.1:${port}` });
      const frank = await jobFor("frank");
      const r1 = await runErasureJob(frank, w.executor, { api: { apiRetries: 1, backoffMs: 50 } });
      expect(r1.state).toBe("paused");
      expect(r1.pausedReason).toMatch(/is1: Sydent's internal API: .*could not be reached \(ECONNREFUSED\).*resumes where it stopped/);
      expect(await answersOnIs1("frank")).toBe(subject("frank").mxid);
      expect((await jobSteps(frank)).find((s) => s.kind === "tombstoneAndDeleteGlobal")).toMatchObject({ state: "pending", retries: 1 });
      await setIs1({ internalApiUrl: good });
      expect((await runErasureJob(frank, w.executor)).state).toBe("phase2_pending");
      await silentEverywhere("frank");

      // 2. Accepting connections but never answering.
      const hung = net.createServer(() => {});
      await new Promise<void>((r) => hung.listen(0, "127.0.0.1", r));
      await setIs1({ internalApiUrl: `http://127.0.0.1:${(hung.address() as net.AddressInfo).port}` });
      const hugo = await jobFor("hugo");
      const r2 = await runErasureJob(hugo, w.executor, { api: { apiRetries: 0, apiTimeoutMs: 800 } });
      hung.close();
      expect(r2.pausedReason).toMatch(/did not answer .* within 800 ms/);
      expect(await answersOnIs1("hugo")).toBe(subject("hugo").mxid);
      await setIs1({ internalApiUrl: good });
      expect((await runErasureJob(hugo, w.executor)).state).toBe("phase2_pending");
      await silentEverywhere("hugo");

      // 3. Declared stopped (here: forced in the database, bypassing server:mode's own check) while Sydent runs.
      await setIs1({ sydentMode: "stopped" });
      const wendy = await jobFor("wendy");
      const r3 = await runErasureJob(wendy, w.executor);
      expect(r3.pausedReason).toMatch(/is1 is declared stopped but Sydent's client API answers .*nothing was written/);
      expect(await answersOnIs1("wendy")).toBe(subject("wendy").mxid);
      await setIs1({ sydentMode: "live" });
      expect((await runErasureJob(wendy, w.executor)).state).toBe("phase2_pending");
      await silentEverywhere("wendy");

      // 4. A runner killed right after Sydent's unbind (step 1 acted, not yet recorded as done).
      const victor = await jobFor("victor");
      const child = spawnSync(TSX, ["lib/erasure/testing.ts", "run-job", victor, "1"], { env: process.env, encoding: "utf8", timeout: 120_000 });
      expect(child.status, child.stderr).toBe(137);
      const cli = spawnSync(TSX, ["lib/cli/index.ts", "erasure:resume", "--job", victor, "--operator", w.executor.label], { env: process.env, encoding: "utf8", timeout: 120_000 });
      expect(cli.status).toBe(1);
      const out = JSON.parse(cli.stdout) as { results: { code: string; leaseEndsAt: string; message: string }[] };
      expect(out.results[0]).toMatchObject({ code: "lease_held" });
      expect(Date.parse(out.results[0].leaseEndsAt)).toBeGreaterThan(Date.now());
      expect(cli.stderr).toMatch(/another run holds this job's lease.*lease ends at/);
      // The dead runner's lease lapses (leaseMs 0 stands for "a minute later"): the resume finishes it.
      expect((await runErasureJob(victor, w.executor, { leaseMs: 0 })).state).toBe("phase2_pending");
      await silentEverywhere("victor");
      const receipt = await buildReceipt(victor);
      expect(receipt.servers.find((s) => s.server === "is1")?.stores["local_threepid_associations"]).toMatchObject({ tombstonesWritten: 1 });
    });
    expect(loadFailures(loads)).toMatchObject({ failures: 0, byKindStatus: [], mismatches: [] });
    const e = await live.errors();
    expect(e.errors_total + e.console_errors_total, JSON.stringify(e.instances)).toBe(0);
  });

  it("Sydent stopped mid-job pauses it; restarted, the job finishes and Sydent serves load without an error", async () => {
    const tina = await jobFor("tina");
    const before = await live.errors();
    expect(before.errors_total + before.console_errors_total).toBe(0);
    // The kit stops both servers: a push from one to the other already stopped may log "Error
    // pushing updates" (Sydent's own complaint about a peer that is down). Lines from the restart on count.
    await live.stop();
    const r = await runErasureJob(tina, w.executor, { api: { apiRetries: 0 } });
    expect(r.state).toBe("paused");
    expect(r.pausedReason).toMatch(/is1: Sydent's internal API: .*could not be reached/);
    expect((await jobSteps(tina)).every((s) => s.state !== "done" || s.kind === "verify")).toBe(true);
    await closeSydent();
    await live.restart();
    // One replication cycle (10 s) for the servers' own start-up: a push that races the peer's
    // start logs "Error pushing updates" before Custodian does anything. From then on, every line counts.
    await new Promise((r) => setTimeout(r, 12_000));
    const restartedAt = new Date().toISOString();
    expect(await answersOnIs1("tina")).toBe(subject("tina").mxid);
    const { result, loads } = await underLoad(live, () => runErasureJob(tina, w.executor), 10, 10);
    expect(result.state).toBe("phase2_pending");
    await silentEverywhere("tina");
    expect(loadFailures(loads)).toMatchObject({ failures: 0, byKindStatus: [], mismatches: [] });
    const e = await live.errors(restartedAt);
    expect(e.errors_total + e.console_errors_total, JSON.stringify(e.instances)).toBe(0);
  });
});
