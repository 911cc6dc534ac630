import fs from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { chooseBystander } from "@/lib/erasure/bystander-choice";
import { advancePhase2 } from "@/lib/erasure/phase2";
import type { ErasurePlan } from "@/lib/erasure/plan";
import { retireWorld, setupWorld, type World } from "@/lib/erasure/testing";
import { approveErasure, executeErasure, startErasure } from "@/lib/erasure/workflow";
import { openJson } from "@/lib/erasure/workflow-support";
import { encryptSecret } from "@/lib/keys";
import { seedRequest } from "@/lib/requests/testing";
import { maskIdentifier } from "@/lib/subjects/present-mask";
import { FIXTURE_DIR, INSTANCES, tempDir } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Issue 8: a bystander unbound by an approved choice is tracked by phase 2 until the tombstone
// Sydent's unbind wrote on their origin has reached every active peer (it removes the peers'
// copies that embed the subject). On fixture copies declared stopped (direct writes), nothing
// pushes, so the tombstones stay pending until the peers' lastSentVersion says delivered.

useTestConsoleDb();
type Subject = { key: string; mxid: string | null; threepids: { medium: string; address: string }[] };
const alice = (JSON.parse(fs.readFileSync(`${FIXTURE_DIR}/truth.json`, "utf8")) as { subjects: Subject[] }).subjects.find((s) => s.key === "alice")!;
const email = alice.threepids.find((t) => t.medium === "email")!.address;
let w: World;
beforeAll(async () => {
  w = await setupWorld(tempDir());
});
afterAll(async () => {
  await retireWorld(w);
  fs.rmSync(w.dir, { recursive: true, force: true });
});

describe("phase 2 and unbound bystanders", () => {
  it("keeps each unbound bystander's origin tombstone pending until every active peer has it", async () => {
    const [preparer, approver] = [w.requester, w.approver];
    const r = await seedRequest({ createdById: preparer.id!, receivedAt: new Date(), type: "erasure" });
    await db().requestSubject.create({
      data: { requestId: r.id, type: "email", valueEnc: encryptSecret(email, "subject-identifier-v1"), pseudonym: pseudonymFor("email", email), masked: maskIdentifier("email", email), addedById: preparer.id! },
    });
    const started = await startErasure({ requestId: r.id, reason: "own_request", requestedBy: preparer });
    if (!started.ok) throw new Error(started.message);
    const job = await db().erasureJob.findUniqueOrThrow({ where: { id: started.jobId } });
    const plan = openJson<ErasurePlan>(job.planEnc!);
    const own = plan.servers.flatMap((s) => s.embedding.filter((e) => e.originServer === s.server.serverName && e.globalId > 0).map((e) => ({ serverId: s.server.id, globalId: e.globalId })));
    expect(own.length).toBeGreaterThan(0);
    for (const row of plan.servers.flatMap((s) => s.embedding.filter((e) => e.globalId > 0).map((e) => ({ serverId: s.server.id, globalId: e.globalId })))) {
      expect(await chooseBystander({ jobId: job.id, ...row, action: "unbind", reason: "Fixture copies have no Sydent to re-issue", actor: approver })).toEqual({ ok: true });
    }
    expect(await approveErasure({ jobId: job.id, typedConfirmation: job.subjectMasked, approver: approver })).toEqual({ ok: true });
    const ran = await executeErasure({ jobId: job.id, executor: approver });
    const why = (await db().erasureJob.findUniqueOrThrow({ where: { id: job.id } })).pausedReason;
    expect(ran, why ?? "").toMatchObject({ ok: true, state: "phase2_pending" });

    const p2 = await advancePhase2(job.id, approver);
    const unbound = p2.pending.filter((p) => p.kind === "bystander" && p.unbound);
    expect(unbound.length).toBeGreaterThan(0);
    for (const p of unbound) expect(p).toMatchObject({ behind: expect.arrayContaining([expect.any(String)]), localId: expect.any(Number) });

    // Sydent's next push would set each peer's lastSentVersion past the tombstones: then nothing waits for them.
    for (const i of INSTANCES) {
      const d = new Database(w.files[i]);
      d.prepare("UPDATE peers SET lastSentVersion = (SELECT max(id) FROM local_threepid_associations)").run();
      d.close();
    }
    const later = await advancePhase2(job.id, approver);
    expect(later.pending.filter((p) => p.kind === "bystander" && p.unbound)).toEqual([]);
  });
});
