import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createRequestRecord } from "@/lib/requests/create-request";
import { isUniqueViolation, nextReference, retryOnUniqueClash } from "@/lib/requests/reference";
import { createRequestSchema, type CreateRequestInput } from "@/lib/requests/schemas";
import { seedStaff } from "@/lib/requests/testing";
import { useTestConsoleDb } from "@/lib/test/console-db";

useTestConsoleDb();

const input = (over: Partial<Record<string, string>> = {}): CreateRequestInput =>
  createRequestSchema.parse({
    type: "access",
    requesterName: "Alice Smith",
    requesterContact: "alice@example.org",
    channel: "email",
    identificationMethod: "bound_address_reply",
    receivedAt: "2025-01-31",
    summary: "Copy of my data",
    ...over,
  });

describe("createRequestRecord", () => {
  it("writes the request and its request.create entry together", async () => {
    const dpo = await seedStaff("dpo");
    const now = new Date("2025-02-03T10:00:00Z");
    const created = await createRequestRecord(dpo.actor, input(), now);
    expect(created.reference).toBe("REQ-2025-0001");
    const row = await db().request.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({ state: "received", createdById: dpo.id, identification: "bound_address_reply" });
    expect(row.dueAt.toISOString()).toBe("2025-02-28T00:00:00.000Z");
    const entries = await db().accessLogEntry.findMany({ where: { requestId: created.id } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "request.create", actorId: dpo.id, targetType: "request", targetRef: created.id });
    expect(entries[0].details).not.toContain("Alice");
  });

  it("leaves no request behind when the access-log write fails", async () => {
    const dpo = await seedStaff("dpo");
    const before = await db().request.count();
    const head = await db().accessLogHead.findUniqueOrThrow({ where: { id: 1 } });
    // Without its head row appendAccessLog cannot claim a seq and throws, after the insert ran.
    await db().accessLogHead.delete({ where: { id: 1 } });
    try {
      await expect(createRequestRecord(dpo.actor, input({ requesterName: "Ghost Row" }))).rejects.toThrow();
    } finally {
      await db().accessLogHead.create({ data: head });
    }
    expect(await db().request.count()).toBe(before);
    expect(await db().request.count({ where: { requesterName: "Ghost Row" } })).toBe(0);
  });

  it("allocates unique, gap-free references under concurrent intake", async () => {
    const support = await seedStaff("support");
    const now = new Date("2031-06-01T09:00:00Z");
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) => createRequestRecord(support.actor, input({ requesterName: `P ${i}` }), now)),
    );
    const refs = created.map((c) => c.reference).sort();
    expect(refs).toEqual(Array.from({ length: 12 }, (_, i) => `REQ-2031-${String(i + 1).padStart(4, "0")}`));
    const logged = await db().accessLogEntry.count({ where: { action: "request.create", requestId: { in: created.map((c) => c.id) } } });
    expect(logged).toBe(12);
  });

  it("retries the whole transaction when the reference clashes", async () => {
    const dpo = await seedStaff("dpo");
    const taken = (await createRequestRecord(dpo.actor, input(), new Date("2032-01-05T00:00:00Z"))).reference;
    let attempts = 0;
    const ref = await retryOnUniqueClash(() =>
      db().$transaction(async (tx) => {
        attempts++;
        // First attempt uses a stale number, as a writer that lost a race would.
        const reference = attempts === 1 ? taken : await nextReference(tx, 2032);
        const r = await tx.request.create({
          data: { ...(await tx.request.findUniqueOrThrow({ where: { reference: taken }, omit: { id: true, reference: true } })), reference },
        });
        return r.reference;
      }),
    );
    expect(attempts).toBe(2);
    expect(ref).toBe("REQ-2032-0002");
  });

  it("recognises the database's unique violation and does not retry other errors", async () => {
    const dpo = await seedStaff("dpo");
    const { reference } = await createRequestRecord(dpo.actor, input(), new Date("2033-01-01T00:00:00Z"));
    const row = await db().request.findUniqueOrThrow({ where: { reference }, omit: { id: true } });
    const err = await db().request.create({ data: row }).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
    let calls = 0;
    await expect(retryOnUniqueClash(async () => { calls++; throw new Error("boom"); })).rejects.toThrow("boom");
    expect(calls).toBe(1);
  });

  it("refuses a received date in the future and an unexplained 'other' identification", () => {
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const bad = createRequestSchema.safeParse({ ...input(), receivedAt: tomorrow, identificationMethod: "other" });
    expect(bad.success).toBe(false);
    const fields = bad.success ? {} : bad.error.flatten().fieldErrors;
    expect(Object.keys(fields).sort()).toEqual(["identificationNote", "receivedAt"]);
  });
});
