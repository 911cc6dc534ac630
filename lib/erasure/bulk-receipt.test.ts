import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { approveBulkBatch, createBulkBatch, executeBulkBatch } from "@/lib/erasure/bulk";
import { buildReceipt } from "@/lib/erasure/receipt";
import { NO_SYDENT } from "@/lib/erasure/testing";
import { seedStaff } from "@/lib/requests/testing";
import { closeSydent } from "@/lib/sydent/open";
import { copyFixture, FIXTURE_DIR, INSTANCES, tempDir, truth } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// A bulk row's job is created when the batch executes, after the batch was approved as a whole.
// Its receipt must still read in order: requested (the upload) <= approved <= phase 1 done.

useTestConsoleDb();
const dir = tempDir();
const servers: { id: string; label: string; dbPath: string }[] = [];
beforeAll(async () => {
  for (const i of INSTANCES) {
    const file = copyFixture(i, dir);
    const s = await db().identityServer.create({ data: { label: i, serverName: truth.instances[i].server_name, dbPath: file, ...NO_SYDENT } });
    servers.push({ id: s.id, label: i, dbPath: file });
  }
});
afterAll(async () => {
  await closeSydent();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("bulk erasure receipt times", () => {
  it("approvedAt is never before requestedAt; requestedAt is the batch upload", async () => {
    const subjects = (JSON.parse(fs.readFileSync(`${FIXTURE_DIR}/truth.json`, "utf8")) as { subjects: { mxid: string | null; data_inside_other_rows_sgAssoc?: unknown[] }[] }).subjects;
    // Someone no other person's row embeds (no bystander re-issue, which needs a running Sydent).
    const mxid = subjects.find((s) => s.mxid && (s.data_inside_other_rows_sgAssoc ?? []).length === 0)!.mxid!;
    const [uploader, approver] = [await seedStaff("dpo"), await seedStaff("dpo")];
    const r = await createBulkBatch({ fileName: "one.csv", content: `mxid\n${mxid}\n`, reason: "account_deactivated", createdBy: uploader.actor }, { servers, awaitDryRun: true });
    if (!r.ok) throw new Error(r.message);
    await new Promise((res) => setTimeout(res, 20));
    expect((await approveBulkBatch({ batchId: r.batchId, approver: approver.actor })).ok).toBe(true);
    await new Promise((res) => setTimeout(res, 20));
    expect(await executeBulkBatch({ batchId: r.batchId, executor: approver.actor }, { servers })).toEqual({ ok: true, state: "done" });
    const batch = await db().erasureBatch.findUniqueOrThrow({ where: { id: r.batchId } });
    const job = await db().erasureJob.findFirstOrThrow({ where: { batchId: r.batchId } });
    expect(job.createdAt.getTime()).toBeGreaterThan(batch.approvedAt!.getTime());
    const receipt = await buildReceipt(job.id);
    const t = receipt.times;
    expect(t.requestedAt).toBe(batch.createdAt.toISOString());
    expect(t.approvedAt).toBe(batch.approvedAt!.toISOString());
    expect(Date.parse(t.approvedAt!)).toBeGreaterThanOrEqual(Date.parse(t.requestedAt));
    expect(Date.parse(t.phase1DoneAt!)).toBeGreaterThanOrEqual(Date.parse(t.approvedAt!));
    expect(receipt.people).toMatchObject({ requestedBy: uploader.email, approvedBy: approver.email });
  }, 120_000);
});
