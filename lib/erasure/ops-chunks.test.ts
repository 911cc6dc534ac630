import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { runErasureJob } from "@/lib/erasure/engine";
import * as ops from "@/lib/erasure/ops";
import { WRITE_CHUNK } from "@/lib/erasure/ops-core";
import { buildReceipt } from "@/lib/erasure/receipt";
import { approvedJob, findingsForSubject, fullTruth, NOW_MS, retireWorld, setupWorld } from "@/lib/erasure/testing";
import { tempDir } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Finding 9 and 17: a subject with thousands of invites and tokens (rows inserted here into a
// COPY of the fixture) is erased in many short write transactions - one BEGIN IMMEDIATE per chunk
// of at most WRITE_CHUNK rows, counted through the ops' onTransaction hook, not by timing - and
// the job's lease is refreshed between the chunks. Expectations come from plain SQL.

useTestConsoleDb();
const root = tempDir();
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const INVITES = 2_500;
const TOKENS = 2_100;
const subject = fullTruth.subjects.find((s) => s.mxid && s.threepids.length > 0)!;
const mxid = subject.mxid!;

function addRows(file: string): void {
  const d = new Database(file);
  try {
    d.transaction(() => {
      const inv = d.prepare("INSERT INTO invite_tokens (medium, address, room_id, sender, token, received_ts, sent_ts) VALUES ('email', ?, '!room:example.org', ?, ?, ?, NULL)");
      for (let i = 0; i < INVITES; i++) inv.run(`invitee.${i}@example.org`, mxid, `tok-inv-${i}`, NOW_MS);
      const tok = d.prepare("INSERT INTO tokens (token, user_id) VALUES (?, ?)");
      for (let i = 0; i < TOKENS; i++) tok.run(`tok-v2-${i}`, mxid);
      d.prepare("INSERT OR IGNORE INTO accounts (user_id, created_ts, consent_version) VALUES (?, ?, NULL)").run(mxid, NOW_MS);
    })();
  } finally {
    d.close();
  }
}

function count(file: string, q: string, ...args: unknown[]): number {
  const d = new Database(file, { readonly: true });
  try {
    return (d.prepare(q).get(...args) as { n: number }).n;
  } finally {
    d.close();
  }
}
const invitesFrom = (f: string) => count(f, "SELECT count(*) AS n FROM invite_tokens WHERE sender = ?", mxid);
const tokensOf = (f: string) => count(f, "SELECT count(*) AS n FROM tokens WHERE user_id = ?", mxid);

describe("multi-chunk deletes", () => {
  it("deleteInvitesFrom and deleteAccount use one short transaction per chunk", async () => {
    const w = await setupWorld(path.join(root, "ops"));
    const file = w.files.is1;
    addRows(file);
    const [inv0, tok0] = [invitesFrom(file), tokensOf(file)];
    expect(inv0).toBeGreaterThanOrEqual(INVITES);
    expect(tok0).toBeGreaterThanOrEqual(TOKENS);

    const txRows: number[] = [];
    const o = { nowMs: NOW_MS, onTransaction: ({ rows }: { rows: number }) => void txRows.push(rows) };
    const inv = await ops.deleteInvitesFrom(file, { mxid }, o);
    expect(inv.invites).toBe(inv0);
    expect(txRows.length).toBeGreaterThanOrEqual(Math.ceil(inv0 / WRITE_CHUNK));
    expect(Math.max(...txRows)).toBeLessThanOrEqual(WRITE_CHUNK);
    expect(invitesFrom(file)).toBe(0);

    txRows.length = 0;
    const acc = await ops.deleteAccount(file, { mxid }, o);
    expect(acc.tokens).toBe(tok0);
    expect(acc.accounts).toBe(1);
    // Token chunks + one for the accepted terms and the account row.
    expect(txRows.length).toBeGreaterThanOrEqual(Math.ceil(tok0 / WRITE_CHUNK) + 1);
    expect(Math.max(...txRows)).toBeLessThanOrEqual(WRITE_CHUNK);
    expect(tokensOf(file)).toBe(0);

    // Interrupted after the first attempt located the rows and deleted them: the re-run reports them as already done.
    addRows(file);
    let located: ops.OpOptions["prior"];
    const first = await ops.deleteInvitesFrom(file, { mxid }, { nowMs: NOW_MS, onLocated: (s) => void (located = s) });
    const again = await ops.deleteInvitesFrom(file, { mxid }, { nowMs: NOW_MS, prior: located });
    expect(again).toEqual({ invites: 0, already: { invites: first.invites } });
    await retireWorld(w);
  });

  it("the engine erases such a subject chunk by chunk and refreshes its lease between chunks", { timeout: 120_000 }, async () => {
    const w = await setupWorld(path.join(root, "engine"));
    addRows(w.files.is1);
    const [inv0, tok0] = [invitesFrom(w.files.is1), tokensOf(w.files.is1)];
    const { jobId } = await approvedJob(w, await findingsForSubject(w, subject));
    const txRows: number[] = [];
    let beats = 0;
    const r = await runErasureJob(jobId, w.executor, {
      now: () => new Date(NOW_MS), heartbeatMs: 0, onHeartbeat: () => void beats++,
      op: { onTransaction: ({ rows }) => void txRows.push(rows) },
    });
    expect(["phase2_pending", "completed"]).toContain(r.state);
    expect(Math.max(...txRows)).toBeLessThanOrEqual(WRITE_CHUNK);
    expect(txRows.length).toBeGreaterThanOrEqual(Math.ceil(inv0 / WRITE_CHUNK) + Math.ceil(tok0 / WRITE_CHUNK));
    expect(beats).toBeGreaterThanOrEqual(txRows.length);
    expect([invitesFrom(w.files.is1), tokensOf(w.files.is1)]).toEqual([0, 0]);
    const receipt = await buildReceipt(jobId);
    const is1 = receipt.servers.find((s) => s.server === w.servers.is1.label)!;
    expect(is1.stores["invite_tokens (invites from the subject)"].deleted).toBe(inv0);
    expect(is1.stores.tokens.deleted).toBe(tok0);
    expect(await db().erasureStep.count({ where: { jobId, state: { not: "done" } } })).toBe(0);
    await retireWorld(w);
  });
});
