import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { recordAccess } from "@/lib/audit/log";
import { leafHash, verifyConsistency, verifyInclusion } from "@/lib/audit/merkle";
import { latestSth, proveConsistency, proveInclusion } from "@/lib/audit/proofs";
import { sthSignatureProblem } from "@/lib/audit/sth";
import { createTestConsoleDb } from "@/lib/test/console-db";

// Proofs served to auditors (route /api/audit/tree, audit:proof) over a log big enough to use the
// subtree cache (levels >= 8): 600 appends with a tree head every 250 entries.

const actor = { id: null, label: "cli:test", role: "auditor" };
let cleanup: () => Promise<void>;
beforeAll(async () => {
  process.env.CUSTODIAN_CHECKPOINT_EVERY = "250";
  ({ cleanup } = await createTestConsoleDb());
  for (let i = 0; i < 600; i++) await recordAccess({ actor, action: "test.view", outcome: "ok" });
}, 300_000);
afterAll(async () => {
  await cleanup();
  delete process.env.CUSTODIAN_CHECKPOINT_EVERY;
});
const hex = (a: string[]) => a.map((x) => Buffer.from(x, "hex"));

describe("served proofs", () => {
  it("the latest head is signed and covers the seal entries; the subtree cache was filled when sealing", async () => {
    const sth = (await latestSth(db()))!;
    expect(sth.size).toBe(502); // seals at 251 and 502
    expect(sthSignatureProblem(sth)).toBeNull();
    const nodes = await db().accessLogTreeNode.findMany({ orderBy: [{ level: "asc" }, { idx: "asc" }] });
    expect(nodes.map((n) => [n.level, n.idx])).toEqual([[8, 0]]); // leaves 0..255; 256..511 is not complete at 502
  });

  it("inclusion proofs verify against the signed root for the first, a middle, a cached-block and the last entry", async () => {
    for (const seq of [1, 255, 256, 257, 400, 502]) {
      const p = await proveInclusion(db(), seq);
      expect(verifyInclusion(leafHash(p.entryHash), seq - 1, p.sth.size, hex(p.proof), Buffer.from(p.sth.root, "hex")), `seq ${seq}`).toBe(true);
    }
    const older = await proveInclusion(db(), 10, 251);
    expect(older.sth.size).toBe(251);
    expect(verifyInclusion(leafHash(older.entryHash), 9, 251, hex(older.proof), Buffer.from(older.sth.root, "hex"))).toBe(true);
  });

  it("consistency proofs verify between signed heads and from any earlier size", async () => {
    const p = await proveConsistency(db(), 251);
    expect(p.firstSth?.size).toBe(251);
    expect(verifyConsistency(251, 502, Buffer.from(p.firstSth!.root, "hex"), Buffer.from(p.sth.root, "hex"), hex(p.proof))).toBe(true);
    const q = await proveConsistency(db(), 37);
    expect(q.firstSth).toBeNull();
    expect(q.proof.length).toBeGreaterThan(0);
  });

  it("refuses what no signed head covers, naming why", async () => {
    await expect(proveInclusion(db(), 503)).rejects.toThrow(/not covered by the signed head of size 502/);
    await expect(proveInclusion(db(), 5, 300)).rejects.toThrow(/no signed tree head of size 300/);
    await expect(proveConsistency(db(), 0)).rejects.toThrow(/between 1 and 502/);
  });
});
