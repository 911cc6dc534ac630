import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { addRequestNote, listRequestNotes } from "@/lib/requests/notes";
import { WITHHELD } from "@/lib/requests/queries";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Notes and correspondence on a request: identifiers refused (nothing stored, nothing logged),
// each addition logged without its text, text withheld from roles that see requests masked.

useTestConsoleDb();

describe("request notes", () => {
  it("stores a note with its request.note.add entry, refuses identifiers, withholds the text from auditors", async () => {
    const support = await seedStaff("support", "Sam Support");
    const auditor = await seedStaff("auditor");
    const r = await seedRequest({ createdById: support.id, receivedAt: new Date("2026-02-02T00:00:00Z") });

    const ok = await addRequestNote(support.actor, { requestId: r.id, kind: "sent", body: "Asked the requester to confirm which server they used." });
    expect(ok).toMatchObject({ ok: true });
    for (const body of ["Reply to zed@example.com please", "Call them on 07700 900123", "Their account is @zed:example.org"]) {
      const refused = await addRequestNote(support.actor, { requestId: r.id, kind: "note", body });
      expect(refused).toMatchObject({ ok: false, errors: { body: [expect.stringMatching(/looks like it contains/)] } });
    }
    expect(await addRequestNote(support.actor, { requestId: r.id, kind: "gossip", body: "Fine text here" })).toMatchObject({ ok: false, errors: { kind: expect.any(Array) } });
    expect(await addRequestNote(support.actor, { requestId: "nope", kind: "note", body: "Fine text here" })).toMatchObject({ ok: false, message: /does not exist/ });

    expect(await db().requestNote.count()).toBe(1);
    const log = await db().accessLogEntry.findMany({ where: { action: "request.note.add" } });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ requestId: r.id, outcome: "ok" });
    expect(log[0].details).not.toContain("confirm which server");

    const asSupport = await listRequestNotes(r.id, { id: support.id, role: "support" });
    expect(asSupport).toEqual([expect.objectContaining({ kind: "sent", author: "Sam Support", body: "Asked the requester to confirm which server they used." })]);
    const asAuditor = await listRequestNotes(r.id, { id: auditor.id, role: "auditor" });
    expect(asAuditor[0].body).toBe(WITHHELD);
  });
});

describe("notes stay out of packages", () => {
  it("no file of the package builder (lib/exports) reads the notes table", async () => {
    const fs = await import("node:fs");
    const path = await import("node:path");
    const dir = path.resolve("lib/exports");
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(fs.readFileSync(path.join(dir, f), "utf8"), f).not.toMatch(/requestNote|RequestNote/);
  });
});
