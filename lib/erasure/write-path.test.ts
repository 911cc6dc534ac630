import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { leaseHeld } from "@/lib/erasure/engine-lease";
import { approvedJob, findingsForSubject, fullTruth, retireWorld, setupWorld } from "@/lib/erasure/testing";
import { writePath } from "@/lib/erasure/write-path";
import { copyFixture, tempDir } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// How a step may write (write-path.ts), without a running Sydent: the decisions that keep a live
// Sydent's database free of outside writes, and the lease report erasure:resume prints.

useTestConsoleDb();
const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = copyFixture("is1", dir);
const server = (o: Partial<{ sydentMode: string; internalApiUrl: string | null }>) => ({ label: "is1", dbPath: file, sydentMode: "live", clientApiUrl: null, internalApiUrl: null, ...o });

describe("write paths", () => {
  it("live: unbinds through the internal API (pause without one), peer copies by replication, the rest waits for a window", async () => {
    expect(await writePath("tombstoneAndDeleteGlobal", server({ internalApiUrl: "http://127.0.0.1:8091" }))).toEqual({ path: "api" });
    const none = await writePath("tombstoneAndDeleteGlobal", server({}));
    expect(none).toMatchObject({ path: "pause" });
    expect(none.path === "pause" && none.reason).toMatch(/is1 is live and has no internal API registered: Custodian never writes bindings with SQL under a running Sydent/);
    expect(await writePath("deleteGlobal", server({}))).toEqual({ path: "replication" });
    for (const kind of ["deleteSessions", "deleteInvitesTo", "deleteInvitesFrom", "deleteAccount", "pruneTombstone"] as const) {
      const p = await writePath(kind, server({ internalApiUrl: "http://127.0.0.1:8091" }));
      expect(p.path === "wait" && p.waitingFor, kind).toMatch(/^a maintenance window on is1: stop Sydent on is1/);
    }
    expect(await writePath("verify", server({}))).toEqual({ path: "read" });
  });

  it("declared stopped: direct only with proof; a journal beside the file (a writer at work) blocks it", async () => {
    const ok = await writePath("deleteAccount", server({ sydentMode: "stopped" }));
    expect(ok).toMatchObject({ path: "direct", evidence: expect.arrayContaining(["no journal beside the file"]) });
    fs.writeFileSync(`${file}-journal`, "x");
    const binding = await writePath("tombstoneAndDeleteGlobal", server({ sydentMode: "stopped" }));
    const maintenance = await writePath("deleteAccount", server({ sydentMode: "stopped" }));
    fs.rmSync(`${file}-journal`);
    expect(binding.path === "pause" && binding.reason).toMatch(/is1 is declared stopped but is1-copy\.db-journal exists .*nothing was written/);
    expect(maintenance).toMatchObject({ path: "wait" });
  });
});

describe("lease report", () => {
  it("a running job with a fresh heartbeat is held: who, when the lease ends; a stale one is free", async () => {
    const w = await setupWorld(path.join(dir, "lease"));
    const { jobId } = await approvedJob(w, await findingsForSubject(w, fullTruth.subjects.find((s) => s.key === "kate")!));
    await db().erasureJob.update({ where: { id: jobId }, data: { state: "running", executedById: w.executor.id } });
    const held = await leaseHeld(jobId);
    expect(held?.heldBy).toBe(w.executor.label);
    expect(Date.parse(held!.leaseEndsAt)).toBeGreaterThan(Date.now());
    expect(held!.message).toMatch(/another run holds this job's lease .* its lease ends at/);
    expect(await leaseHeld(jobId, new Date(Date.now() + 61_000))).toBeNull();
    await retireWorld(w);
  });
});
