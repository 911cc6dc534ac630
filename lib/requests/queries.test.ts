import { beforeAll, describe, expect, it } from "vitest";
import { findRequests, getRequest } from "@/lib/requests/queries";
import { parseRequestSearch } from "@/lib/requests/schemas";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import { useTestConsoleDb } from "@/lib/test/console-db";

useTestConsoleDb();

const d = (s: string) => new Date(`${s}T00:00:00.000Z`);
const NOW = new Date("2025-03-10T12:00:00Z");

let dpo: Awaited<ReturnType<typeof seedStaff>>;
let support: Awaited<ReturnType<typeof seedStaff>>;
let auditor: Awaited<ReturnType<typeof seedStaff>>;

beforeAll(async () => {
  dpo = await seedStaff("dpo", "Dana DPO");
  support = await seedStaff("support", "Sam Support");
  auditor = await seedStaff("auditor");
  const by = dpo.id;
  // A: due 2025-02-28, open -> overdue.          B: due 2025-03-10 (today) -> not overdue.
  // C: due 2025-02-15 but extended to 2025-04-15. D: due 2025-02-01, closed -> not overdue.
  // E: due 2025-04-05, erasure, unassigned.
  await seedRequest({ reference: "REQ-2025-0001", createdById: by, receivedAt: d("2025-01-31"), assigneeId: dpo.id, state: "in_progress" });
  await seedRequest({ reference: "REQ-2025-0002", createdById: by, receivedAt: d("2025-02-10"), assigneeId: support.id, type: "complaint" });
  await seedRequest({
    reference: "REQ-2025-0003", createdById: by, receivedAt: d("2025-01-15"), extendedDueAt: d("2025-04-15"),
    assigneeId: support.id, state: "identity_check",
  });
  await seedRequest({
    reference: "REQ-2025-0004", createdById: by, receivedAt: d("2025-01-01"), state: "completed", closedAt: d("2025-01-20"), assigneeId: dpo.id,
  });
  await seedRequest({ reference: "REQ-2025-0005", createdById: by, receivedAt: d("2025-03-05"), type: "erasure" });
});

const refs = (r: { data: { reference: string }[] }) => r.data.map((x) => x.reference);

describe("findRequests", () => {
  const base = () => ({ viewer: { id: dpo.id, role: dpo.role }, now: NOW });

  it("sorts by effective due date by default, extensions included", async () => {
    const r = await findRequests(base());
    expect(refs(r)).toEqual(["REQ-2025-0004", "REQ-2025-0001", "REQ-2025-0002", "REQ-2025-0005", "REQ-2025-0003"]);
    expect(r).toMatchObject({ count: 5, page: 1, pageSize: 25, totalPages: 1 });
    const desc = await findRequests({ ...base(), dir: "desc" });
    expect(refs(desc)[0]).toBe("REQ-2025-0003");
  });

  it("filters overdue: open and past the whole effective due day", async () => {
    const r = await findRequests({ ...base(), overdue: true });
    expect(refs(r)).toEqual(["REQ-2025-0001"]);
    expect(r.data[0]).toMatchObject({ isOverdue: true, daysLeft: -10 });
    const tomorrow = await findRequests({ ...base(), overdue: true, now: d("2025-03-11") });
    expect(refs(tomorrow)).toEqual(["REQ-2025-0001", "REQ-2025-0002"]);
  });

  it("filters by type, state and open", async () => {
    expect(refs(await findRequests({ ...base(), type: "erasure" }))).toEqual(["REQ-2025-0005"]);
    expect(refs(await findRequests({ ...base(), state: "identity_check" }))).toEqual(["REQ-2025-0003"]);
    expect((await findRequests({ ...base(), state: "open" })).count).toBe(4);
    expect(refs(await findRequests({ ...base(), type: "complaint", state: "completed" }))).toEqual([]);
  });

  it("filters by assignee: me, a staff id, unassigned", async () => {
    expect(refs(await findRequests({ ...base(), assignee: "me", sort: "reference" }))).toEqual(["REQ-2025-0001", "REQ-2025-0004"]);
    expect(refs(await findRequests({ ...base(), assignee: support.id, sort: "reference" }))).toEqual(["REQ-2025-0002", "REQ-2025-0003"]);
    expect(refs(await findRequests({ ...base(), assignee: "unassigned" }))).toEqual(["REQ-2025-0005"]);
    const mine = await findRequests({ ...base(), viewer: { id: support.id, role: "support" }, assignee: "me", sort: "reference" });
    expect(mine.data.map((x) => x.assigneeName)).toEqual(["Sam Support", "Sam Support"]);
  });

  it("searches by reference", async () => {
    expect(refs(await findRequests({ ...base(), q: "req-2025-000" })).length).toBe(5);
    expect(refs(await findRequests({ ...base(), q: "0003" }))).toEqual(["REQ-2025-0003"]);
  });

  it("sorts by column and pages with the same filter", async () => {
    expect(refs(await findRequests({ ...base(), sort: "reference", dir: "desc", pageSize: 2 }))).toEqual(["REQ-2025-0005", "REQ-2025-0004"]);
    const p2 = await findRequests({ ...base(), sort: "receivedAt", dir: "asc", page: 2, pageSize: 2 });
    expect(refs(p2)).toEqual(["REQ-2025-0001", "REQ-2025-0002"]);
    expect(p2).toMatchObject({ count: 5, page: 2, pageSize: 2, totalPages: 3 });
    const due3 = await findRequests({ ...base(), page: 3, pageSize: 2 });
    expect(refs(due3)).toEqual(["REQ-2025-0003"]);
    const open2 = await findRequests({ ...base(), state: "open", sort: "type", page: 2, pageSize: 3 });
    expect(open2).toMatchObject({ count: 4, totalPages: 2 });
    expect(open2.data).toHaveLength(1);
  });

  it("parses URL state and falls back to defaults when malformed", () => {
    expect(parseRequestSearch({ page: "-3", pageSize: "1000", sort: "DROP", dir: "up", type: "x", state: ["in_progress", "y"], overdue: "maybe", assignee: "me; --" }))
      .toEqual({ page: 1, pageSize: 25, sort: "due", dir: "asc", state: "in_progress" });
    expect(parseRequestSearch({ overdue: "1", type: "erasure", assignee: "unassigned" })).toMatchObject({ overdue: true, type: "erasure", assignee: "unassigned" });
  });
});

describe("masking", () => {
  it("a dpo sees the requester in clear", async () => {
    const r = await findRequests({ viewer: { id: dpo.id, role: "dpo" }, now: NOW, sort: "reference", pageSize: 1 });
    expect(r.data[0]).toMatchObject({ requesterName: "Alice Smith", requesterContact: "alice@example.org", isMasked: false });
    expect(r.data[0].summary).toContain("alice@example.org");
  });

  it("an auditor never receives the clear values, in the list or the detail", async () => {
    const r = await findRequests({ viewer: { id: auditor.id, role: "auditor" }, now: NOW });
    expect(r.data).toHaveLength(5);
    for (const row of r.data) {
      expect(row).toMatchObject({ requesterName: "A•••• S••••", requesterContact: "a•••@e••••.org", isMasked: true });
      expect(JSON.stringify(row)).not.toMatch(/alice|Smith|example\.org/i);
    }
    const detail = await getRequest(r.data[0].id, { id: auditor.id, role: "auditor" }, NOW);
    expect(detail?.identificationMethod).toBe("bound_address_reply");
    expect(JSON.stringify(detail)).not.toMatch(/alice|Smith|example\.org/i);
  });

  it("getRequest returns null for an unknown id", async () => {
    expect(await getRequest("nope", { id: dpo.id, role: "dpo" })).toBeNull();
  });
});
