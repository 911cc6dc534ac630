import fs from "node:fs";
import Database from "better-sqlite3";
import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { approveBulkBatch, createBulkBatch, executeBulkBatch } from "@/lib/erasure/bulk";
import { batchCounts, mayDownloadRejected, pageBatchRows, rejectedCsvFor } from "@/lib/erasure/bulk-queries";
import { readRow } from "@/lib/erasure/bulk-run";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { seedStaff } from "@/lib/requests/testing";
import { closeSydent } from "@/lib/sydent/open";
import { copyFixture, FIXTURE_DIR, INSTANCES, tempDir, truth, type Instance } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { NO_SYDENT } from "@/lib/erasure/testing";

// Bulk erasure on copies of the real fixture: uploading is a dry run (nothing changes in the
// identity databases), the dry run's per-row results agree with plain SQL, nothing runs before a
// second person approves, rejected rows round-trip, 10,000 rows are stored in chunks.

useTestConsoleDb();
type Subject = { key: string; mxid: string | null; threepids: { medium: string; address: string }[] };
const subjects = (JSON.parse(fs.readFileSync(`${FIXTURE_DIR}/truth.json`, "utf8")) as { subjects: Subject[] }).subjects;
const mxids = [...new Set(subjects.map((s) => s.mxid).filter((m): m is string => !!m))];

const dir = tempDir();
const files = {} as Record<Instance, string>;
const servers: { id: string; label: string; dbPath: string }[] = [];
beforeAll(async () => {
  for (const i of INSTANCES) {
    files[i] = copyFixture(i, dir);
    const s = await db().identityServer.create({ data: { label: i, serverName: truth.instances[i].server_name, dbPath: files[i], ...NO_SYDENT } });
    servers.push({ id: s.id, label: i, dbPath: files[i] });
  }
});
afterAll(async () => {
  await closeSydent();
  fs.rmSync(dir, { recursive: true, force: true });
});

function count(i: Instance, q: string, ...args: unknown[]): number {
  const d = new Database(files[i], { readonly: true });
  try {
    return (d.prepare(q).get(...args) as { n: number }).n;
  } finally {
    d.close();
  }
}
const heldByMxid = (m: string) =>
  INSTANCES.reduce((n, i) => n + count(i, "SELECT count(*) AS n FROM local_threepid_associations WHERE mxid = ?", m) + count(i, "SELECT count(*) AS n FROM global_threepid_associations WHERE mxid = ?", m) + count(i, "SELECT count(*) AS n FROM invite_tokens WHERE sender = ?", m) + count(i, "SELECT count(*) AS n FROM accounts WHERE user_id = ?", m), 0);
const snapshot = () => INSTANCES.map((i) => fs.readFileSync(files[i]).toString("base64")).join();

// People whose data Sydent did not leak into others' rows: a bystander's row would need a live
// Sydent to re-issue it (issue 8; the job stops and asks without one).
const embedded = new Set(subjects.filter((s) => ((s as { data_inside_other_rows_sgAssoc?: unknown[] }).data_inside_other_rows_sgAssoc ?? []).length > 0).map((s) => s.mxid));

describe("bulk erasure batches", () => {
  it("upload = dry run: per-row results match plain SQL, each row access-logged, rejected rows download, nothing is erased", async () => {
    const support = await seedStaff("dpo");
    const before = snapshot();
    const csv = ["mxid", ...mxids.slice(0, 4), "not-a-matrix-id", mxids[0], "@ghost.never.seen:127.0.0.1:8448"].join("\n");
    const r = await createBulkBatch({ fileName: "deactivated.csv", content: Buffer.from(csv), reason: "account_deactivated", createdBy: support.actor }, { servers, awaitDryRun: true });
    if (!r.ok) throw new Error(r.message);
    expect([r.totalRows, r.validRows, r.rejectedRows]).toEqual([7, 5, 2]);
    const batch = await db().erasureBatch.findUniqueOrThrow({ where: { id: r.batchId } });
    expect(batch.state).toBe("awaiting_approval");
    const rows = (await pageBatchRows(r.batchId, "mxid", { page: 1, pageSize: 50 })).rows;
    for (const [i, m] of [...mxids.slice(0, 4), "@ghost.never.seen:127.0.0.1:8448"].entries()) {
      const row = rows.find((x) => x.rowNo === (i < 4 ? i + 1 : 7))!;
      expect(row.status, m).toBe(heldByMxid(m) > 0 ? "valid" : "nothing_held");
      expect(row.message ?? "").not.toContain(m);
      expect(row.masked).not.toBe(m);
    }
    expect(rows.find((x) => x.rowNo === 6)).toMatchObject({ status: "rejected", message: "Duplicate of row 1." });
    // One access-log entry per checked row, under the row's pseudonym, with its outcome and counts only.
    const logged = await db().accessLogEntry.findMany({ where: { action: "erasure.bulk.dryrun.row", details: { contains: r.batchId } }, orderBy: { seq: "asc" } });
    const checked = [...mxids.slice(0, 4), "@ghost.never.seen:127.0.0.1:8448"];
    expect(logged.map((e) => e.targetPseudonym)).toEqual(checked.map((m) => pseudonymFor("mxid", m)));
    for (const [i, e] of logged.entries()) {
      expect(e.actorId).toBe(support.id);
      const d = JSON.parse(e.details ?? "{}") as { result: string; rowNo: number };
      expect(d.result).toBe(rows.find((x) => x.rowNo === d.rowNo)!.status);
      expect(e.details).not.toContain(checked[i]);
    }
    const rejected = await rejectedCsvFor(r.batchId);
    const table = Papa.parse<string[]>(rejected!.csv.trim()).data;
    // The rejected rows (identifiers as typed) only for the uploader or an approver.
    const [agent, dpo] = [await seedStaff("support"), await seedStaff("dpo")];
    expect(await mayDownloadRejected(r.batchId, { id: support.id, role: "dpo" })).toBe("ok");
    expect(await mayDownloadRejected(r.batchId, { id: agent.id, role: "support" })).toBe("denied");
    expect(await mayDownloadRejected(r.batchId, { id: dpo.id, role: "dpo" })).toBe("ok");
    expect(table[0]).toEqual(["mxid", "error"]);
    expect(table.slice(1).map((x) => x[1])).toEqual([expect.stringMatching(/^Row 5: Not a Matrix ID/), "Row 6: Duplicate of row 1."]);
    expect(snapshot()).toBe(before);
    expect(await db().erasureJob.count({ where: { batchId: r.batchId } })).toBe(0);

    // Fixed and re-uploaded: the first row corrected, the duplicate dropped.
    const fixed = Papa.unparse([table[0], [mxids[4], table[1][1]]]);
    const again = await createBulkBatch({ fileName: rejected!.fileName, content: fixed, reason: "account_deactivated", createdBy: support.actor }, { servers, awaitDryRun: true });
    expect(again.ok && [again.validRows, again.rejectedRows]).toEqual([1, 0]);
  });

  it("nothing executes before approval; the uploader cannot approve; a second person can", async () => {
    const dpo = await seedStaff("dpo");
    const other = await seedStaff("dpo");
    const r = await createBulkBatch({ fileName: "a.csv", content: `mxid\n${mxids[5]}\n`, reason: "account_deactivated", createdBy: dpo.actor }, { servers, awaitDryRun: true });
    if (!r.ok) throw new Error(r.message);
    const early = await executeBulkBatch({ batchId: r.batchId, executor: other.actor }, { servers });
    expect(early).toMatchObject({ ok: false, code: "conflict" });
    const self = await approveBulkBatch({ batchId: r.batchId, approver: dpo.actor });
    expect(self).toMatchObject({ ok: false, code: "denied", message: expect.stringMatching(/separation of duties/) });
    const support = await seedStaff("support");
    expect(await approveBulkBatch({ batchId: r.batchId, approver: support.actor })).toMatchObject({ ok: false, code: "denied" });
    expect((await db().erasureBatch.findUniqueOrThrow({ where: { id: r.batchId } })).state).toBe("awaiting_approval");
    expect(await db().erasureJob.count({ where: { batchId: r.batchId } })).toBe(0);
    expect(await approveBulkBatch({ batchId: r.batchId, approver: other.actor })).toEqual({ ok: true });
    expect(await approveBulkBatch({ batchId: r.batchId, approver: other.actor })).toMatchObject({ ok: false, code: "conflict" });
    const log = await db().accessLogEntry.findMany({ where: { targetRef: r.batchId }, orderBy: { seq: "asc" }, select: { action: true, outcome: true } });
    expect(log.map((e) => `${e.action}:${e.outcome}`)).toEqual([
      "erasure.bulk.upload:ok", "erasure.bulk.execute:invalid", "erasure.bulk.approve:denied", "erasure.bulk.approve:denied", "erasure.bulk.approve:ok", "erasure.bulk.approve:invalid",
    ]);
  });

  it("an approved batch executes one job per row, linked to the batch, and is resumable (done rows skipped)", async () => {
    const support = await seedStaff("dpo");
    const dpo = await seedStaff("dpo");
    const m = mxids.find((x) => heldByMxid(x) > 0 && x !== mxids[0] && !embedded.has(x))!;
    const r = await createBulkBatch({ fileName: "one.csv", content: `mxid\n${m}\n`, reason: "account_deactivated", createdBy: support.actor }, { servers, awaitDryRun: true });
    if (!r.ok) throw new Error(r.message);
    expect((await approveBulkBatch({ batchId: r.batchId, approver: dpo.actor })).ok).toBe(true);
    const done = await executeBulkBatch({ batchId: r.batchId, executor: dpo.actor }, { servers });
    expect(done).toEqual({ ok: true, state: "done" });
    const jobs = await db().erasureJob.findMany({ where: { batchId: r.batchId } });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ requestedById: support.id, approvedById: dpo.id });
    const rowsAfter = (await pageBatchRows(r.batchId, "mxid", { page: 1, pageSize: 5 })).rows;
    expect(rowsAfter[0], JSON.stringify({ row: rowsAfter[0], job: jobs[0].state, paused: jobs[0].pausedReason })).toMatchObject({ status: "done" });
    expect(INSTANCES.reduce((n, i) => n + count(i, "SELECT count(*) AS n FROM local_threepid_associations WHERE mxid = ?", m), 0)).toBe(0);
    expect(await executeBulkBatch({ batchId: r.batchId, executor: dpo.actor }, { servers })).toMatchObject({ ok: false, code: "conflict" });
    expect(await db().erasureJob.count({ where: { batchId: r.batchId } })).toBe(1);
  }, 120_000);

  it("a batch across pages (the next page's writes run while the page before waits): every row erased once, rows started in order, each page reported", async () => {
    const support = await seedStaff("dpo");
    const dpo = await seedStaff("dpo");
    const picked = mxids.filter((x) => heldByMxid(x) > 0 && !embedded.has(x)).slice(0, 5);
    expect(picked).toHaveLength(5);
    const r = await createBulkBatch({ fileName: "pages.csv", content: ["mxid", ...picked].join("\n"), reason: "account_deactivated", createdBy: support.actor }, { servers, awaitDryRun: true });
    if (!r.ok) throw new Error(r.message);
    expect((await approveBulkBatch({ batchId: r.batchId, approver: dpo.actor })).ok).toBe(true);
    const pages: number[] = [];
    const done = await executeBulkBatch({ batchId: r.batchId, executor: dpo.actor }, { servers, pageSize: 2, onProgress: (p) => void (p.page && pages.push(p.page.jobs)) });
    expect(done).toEqual({ ok: true, state: "done" });
    expect(pages).toEqual([2, 2, 1]);
    const rows = (await pageBatchRows(r.batchId, "mxid", { page: 1, pageSize: 10 })).rows;
    expect(rows.map((x) => x.status)).toEqual(picked.map(() => "done"));
    const jobs = await db().erasureJob.findMany({ where: { batchId: r.batchId }, select: { id: true, state: true, createdAt: true } });
    // Phase 1 done for each (phase 2 still owed, or nothing left for it).
    expect(jobs.map((j) => j.state)).toEqual(picked.map(() => expect.stringMatching(/^(phase2_pending|completed)$/)));
    // Pages start in order: every job of a page was created before any job of the next page.
    const rowJobs = await db().erasureBatchRow.findMany({ where: { batchId: r.batchId }, orderBy: { rowNo: "asc" }, select: { jobId: true } });
    const created = rowJobs.map((x) => jobs.find((j) => j.id === x.jobId)!.createdAt.getTime());
    expect(new Set(rowJobs.map((x) => x.jobId)).size).toBe(5);
    expect(Math.max(...created.slice(0, 2))).toBeLessThanOrEqual(Math.min(...created.slice(2, 4)));
    expect(Math.max(...created.slice(2, 4))).toBeLessThanOrEqual(created[4]);
    for (const m of picked) expect(heldByMxid(m), m).toBe(0);
  }, 180_000);

  it("10,000 rows are stored in insert chunks, each once with its row number and value (chunk edges too), and dry-run without error", async () => {
    const support = await seedStaff("dpo");
    const csv = ["mxid", ...Array.from({ length: 10_000 }, (_, i) => `@deactivated.${i}:example.org`)].join("\n");
    const r = await createBulkBatch({ fileName: "big.csv", content: csv, reason: "account_deactivated", createdBy: support.actor }, { servers, awaitDryRun: true });
    if (!r.ok) throw new Error(r.message);
    expect(r.validRows).toBe(10_000);
    const c = await batchCounts(r.batchId);
    expect([c.pending, c.nothing_held, c.valid]).toEqual([0, 10_000, 0]);
    // Every row once, numbered 1..10,000, with its own value on both sides of each 1,000-row insert.
    const rows = await db().erasureBatchRow.findMany({ where: { batchId: r.batchId }, select: { rowNo: true, inputEnc: true }, orderBy: { rowNo: "asc" } });
    expect(rows.map((x) => x.rowNo)).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
    for (const rowNo of [1, 1000, 1001, 2000, 2001, 9999, 10_000]) {
      expect(readRow(rows[rowNo - 1].inputEnc).values, `row ${rowNo}`).toEqual([`@deactivated.${rowNo - 1}:example.org`]);
    }
    // Each of the 10,000 checked rows has its own access-log entry.
    expect(await db().accessLogEntry.count({ where: { action: "erasure.bulk.dryrun.row", details: { contains: r.batchId } } })).toBe(10_000);
  }, 300_000);

  it("a Matrix-ID batch needs subjects.reverseLookup; a 3PID batch does not", async () => {
    const support = await seedStaff("support");
    const [n, rowsBefore] = [await db().erasureBatch.count(), await db().erasureBatchRow.count()];
    const denied = await createBulkBatch({ fileName: "m.csv", content: `mxid\n${mxids[0]}\n`, reason: "account_deactivated", createdBy: support.actor }, { servers, awaitDryRun: true });
    expect(denied).toMatchObject({ ok: false, code: "denied", message: expect.stringMatching(/reverse lookup/) });
    expect(await db().erasureBatch.count()).toBe(n);
    expect(await db().erasureBatchRow.count()).toBe(rowsBefore);
    const last = await db().accessLogEntry.findFirst({ where: { actorId: support.id }, orderBy: { seq: "desc" } });
    expect(last).toMatchObject({ action: "erasure.bulk.upload", outcome: "denied" });
    const t = subjects.flatMap((s) => s.threepids).find((x) => x.medium === "email")!;
    const ok = await createBulkBatch({ fileName: "e.csv", content: `medium,address\nemail,${t.address}\n`, reason: "account_deactivated", createdBy: support.actor }, { servers, awaitDryRun: true });
    expect(ok.ok, JSON.stringify(ok)).toBe(true);
    if (ok.ok) expect(await db().accessLogEntry.count({ where: { action: "erasure.bulk.dryrun.row", targetPseudonym: pseudonymFor("email", t.address), details: { contains: ok.batchId } } })).toBe(1);
  });

  it("a whole-file error stores nothing", async () => {
    const support = await seedStaff("support");
    const n = await db().erasureBatch.count();
    const r = await createBulkBatch({ fileName: "bad.csv", content: Buffer.from([0x6d, 0x78, 0x69, 0x64, 0x0a, 0x40, 0xe9, 0x3a, 0x78, 0x0a]), reason: "account_deactivated", createdBy: support.actor }, { servers });
    expect(r).toMatchObject({ ok: false, code: "invalid", message: expect.stringMatching(/not UTF-8/) });
    expect(await db().erasureBatch.count()).toBe(n);
  });
});
