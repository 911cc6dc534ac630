import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { waitingForMe } from "@/lib/dashboard-approvals";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import { useTestConsoleDb } from "@/lib/test/console-db";

// "Waiting for me to approve": what I may approve and did not ask for myself.

useTestConsoleDb();

describe("waitingForMe", () => {
  it("lists packages, erasures and batches someone else asked for, never my own, and nothing for roles that cannot approve", async () => {
    const dpo1 = await seedStaff("dpo", "Dana One");
    const dpo2 = await seedStaff("dpo", "Dee Two");
    const support = await seedStaff("support");
    const r = await seedRequest({ createdById: dpo1.id, receivedAt: new Date("2026-03-01T00:00:00Z"), type: "erasure" });
    const pkg = await db().exportPackage.create({ data: { requestId: r.id, kind: "access", state: "generated", subjectMasked: "a•••@example.org", generatedById: dpo1.id, sha256: "x", sizeBytes: 1, storagePath: "x", summary: "{}" } });
    await db().exportPackage.create({ data: { requestId: r.id, kind: "access", state: "approved", subjectMasked: "a•••@example.org", generatedById: dpo1.id, sha256: "y", sizeBytes: 1, storagePath: "y", summary: "{}" } });
    const job = await db().erasureJob.create({ data: { requestId: r.id, subjectPseudonym: "p1", subjectMasked: "b•••@example.org", subjectEnc: "x", reason: "own_request", state: "awaiting_approval", requestedById: support.id } });
    await db().erasureJob.create({ data: { requestId: r.id, subjectPseudonym: "p2", subjectMasked: "c•••@example.org", subjectEnc: "x", reason: "own_request", state: "awaiting_approval", requestedById: dpo2.id } });
    const batch = await db().erasureBatch.create({ data: { fileName: "f.csv", kind: "mxid", reason: "account_deactivated", state: "awaiting_approval", totalRows: 3, validRows: 3, rejectedRows: 0, createdById: dpo1.id } });

    const forDpo2 = await waitingForMe({ id: dpo2.id, role: "dpo" });
    expect(forDpo2.map((w) => [w.kind, w.id, w.href])).toEqual(expect.arrayContaining([
      ["package", pkg.id, `/requests/${r.id}/packages/${pkg.id}`],
      ["erasure", job.id, `/erasures/${job.id}`],
      ["bulk", batch.id, `/erasures/bulk/${batch.id}`],
    ]));
    expect(forDpo2).toHaveLength(3); // not the erasure dpo2 asked for, not the approved package
    expect(forDpo2.find((w) => w.kind === "package")!.label).toContain(r.reference);

    const forDpo1 = await waitingForMe({ id: dpo1.id, role: "dpo" });
    expect(forDpo1.map((w) => w.kind).sort()).toEqual(["erasure", "erasure"]); // own package and batch excluded
    expect(await waitingForMe({ id: support.id, role: "support" })).toEqual([]);
  });
});
