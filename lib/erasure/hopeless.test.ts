import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { awaitReplicatedDelete, stillBoundAtOrigin } from "@/lib/erasure/ops-api";
import { closeSydent } from "@/lib/sydent/open";
import { copyFixture, tempDir } from "@/lib/sydent/test-fixtures";

// A wait for replication that cannot end: the subject's 3PID is still bound to the subject at its
// origin after phase 1 issued the unbinds (the real benchmark met one: a page then waited 287 s
// for a push that could not come). stillBoundAtOrigin names the server; awaitReplicatedDelete and
// verification stop waiting at once. On copies of the real Sydent fixture; the "unbind" below is
// the row Sydent's own unbind leaves (REPLACE INTO ... mxid NULL: a new id), written on a copy.

const dir = tempDir();
afterAll(async () => {
  await closeSydent();
  fs.rmSync(dir, { recursive: true, force: true });
});

const is1 = copyFixture("is1", fs.mkdtempSync(path.join(dir, "a-")));
const is2 = copyFixture("is2", fs.mkdtempSync(path.join(dir, "b-")));
const servers = [{ label: "is1", dbPath: is1 }, { label: "is2", dbPath: is2 }];

/** A bound local row of is1 whose global copy is on is2 (replicated), and its person's identifiers. */
function subjectOnIs1() {
  const a = new Database(is1, { readonly: true });
  const b = new Database(is2, { readonly: true });
  try {
    const rows = a.prepare("SELECT medium, address, mxid FROM local_threepid_associations WHERE mxid IS NOT NULL ORDER BY id").all() as { medium: string; address: string; mxid: string }[];
    const r = rows.find((x) => b.prepare("SELECT 1 FROM global_threepid_associations WHERE medium = ? AND address = ?").get(x.medium, x.address));
    if (!r) throw new Error("the fixture has no replicated binding");
    return { row: r, ids: { emails: r.medium === "email" ? [r.address] : [], msisdns: r.medium === "msisdn" ? [r.address] : [], mxids: [r.mxid] } };
  } finally {
    a.close();
    b.close();
  }
}

describe("waits that cannot end", () => {
  const { row, ids } = subjectOnIs1();

  it("names the origin that still binds the subject, and only the subject", () => {
    expect(stillBoundAtOrigin(servers, ids)).toMatch(/^is1 still binds 1 of the subject's 3PIDs/);
    // The same address bound to someone else is not the subject's: no conclusion.
    expect(stillBoundAtOrigin(servers, { ...ids, mxids: ["@someone-else:example.org"] })).toBeNull();
    // Without a Matrix ID there is no binding to the subject to find.
    expect(stillBoundAtOrigin(servers, { ...ids, mxids: [] })).toBeNull();
  });

  it("the peer's wait stops at once with the reason, and does not once the origin holds the tombstone", async () => {
    const t = { medium: row.medium as "email" | "msisdn", address: row.address };
    const live = { label: "is2", dbPath: is2, internalApiUrl: null, serverName: "is2" };
    const stuck = await awaitReplicatedDelete(live, t, { replicationWaitMs: 600_000, hopeless: async () => stillBoundAtOrigin(servers, ids) });
    expect(stuck.globalRemaining).toBeGreaterThan(0);
    expect(stuck).toMatchObject({ stoppedWaiting: expect.stringMatching(/^is1 still binds/) });

    // Sydent's unbind on the origin: the row is replaced by a tombstone with a new id.
    const w = new Database(is1);
    w.prepare("REPLACE INTO local_threepid_associations (medium, address, mxid, ts, notBefore, notAfter) VALUES (?, ?, NULL, ?, NULL, NULL)").run(row.medium, row.address, Date.now());
    w.close();
    expect(stillBoundAtOrigin(servers, ids)).toBeNull();
    // Now a push could come: the wait runs its (here zero) budget instead of stopping early.
    const waiting = await awaitReplicatedDelete(live, t, { replicationWaitMs: 0, hopeless: async () => stillBoundAtOrigin(servers, ids) });
    expect(waiting).not.toHaveProperty("stoppedWaiting");
  });
});
