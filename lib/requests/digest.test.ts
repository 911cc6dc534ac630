import { describe, expect, it, vi } from "vitest";
import digestCommand from "@/lib/cli/commands/requests-digest";
import { db } from "@/lib/db";
import { buildDigest } from "@/lib/requests/digest";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import { changeRequestState } from "@/lib/requests/update-request";
import { useTestConsoleDb } from "@/lib/test/console-db";

useTestConsoleDb();

const d = (s: string) => new Date(`${s}T00:00:00.000Z`);

describe("the daily digest", () => {
  it("lists, per assignee, what is overdue or due within the week, never paused or later requests, and no personal data", async () => {
    const ann = await seedStaff("dpo", "Ann Archer");
    const bo = await seedStaff("support", "Bo Brown");
    const now = d("2025-03-10");
    const overdue = await seedRequest({ createdById: ann.id, assigneeId: ann.id, receivedAt: d("2025-02-01") }); // due 1 Mar
    const dueSoon = await seedRequest({ createdById: ann.id, assigneeId: bo.id, receivedAt: d("2025-02-14") }); // due 14 Mar
    const unassigned = await seedRequest({ createdById: ann.id, receivedAt: d("2025-02-17") }); // due 17 Mar
    const later = await seedRequest({ createdById: ann.id, assigneeId: ann.id, receivedAt: d("2025-03-01") }); // due 1 Apr
    const paused = await seedRequest({ createdById: ann.id, assigneeId: bo.id, receivedAt: d("2025-02-12") }); // due 12 Mar
    await changeRequestState(ann.actor, paused.id, "identity_check", d("2025-02-20")); // 20 days left, frozen
    const closed = await seedRequest({ createdById: ann.id, assigneeId: ann.id, receivedAt: d("2025-02-01"), closedAt: d("2025-02-20") });

    const digest = await buildDigest(now, 7);
    expect(digest.horizon).toBe("2025-03-17");
    const refs = (name: string) => digest.groups.find((g) => g.assignee === name)?.items.map((i) => i.reference) ?? [];
    expect(refs("Ann Archer")).toEqual([overdue.reference]);
    expect(refs("Bo Brown")).toEqual([dueSoon.reference]);
    expect(refs("Unassigned")).toEqual([unassigned.reference]);
    expect(digest.groups.map((g) => g.assignee)).toEqual(["Ann Archer", "Bo Brown", "Unassigned"]);
    const all = digest.groups.flatMap((g) => g.items.map((i) => i.reference));
    for (const r of [later, paused, closed]) expect(all).not.toContain(r.reference);
    expect(digest.groups[0].items[0]).toMatchObject({ dueAt: "2025-03-01", daysLeft: -9, overdue: true, paused: false });
    expect(JSON.stringify(digest)).not.toMatch(/Alice|example\.org/);
  });

  it("requests:digest prints the digest as JSON and logs that it ran", async () => {
    const ann = await seedStaff("dpo", "Ann Archer");
    await seedRequest({ createdById: ann.id, assigneeId: ann.id, receivedAt: new Date(Date.now() - 40 * 86_400_000) });
    let out = "";
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
    try {
      expect(await digestCommand.run({ values: { operator: ann.email, days: "3" }, positionals: [] })).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const json = JSON.parse(out);
    expect(json.groups.some((g: { assignee: string }) => g.assignee === "Ann Archer")).toBe(true);
    expect(await db().accessLogEntry.count({ where: { action: "request.digest", actorLabel: `cli:${ann.email}` } })).toBe(1);
    await expect(digestCommand.run({ values: { operator: ann.email, days: "90" }, positionals: [] })).rejects.toThrow(/--days/);
  });
});
