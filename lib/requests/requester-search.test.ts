import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { searchByRequester } from "@/lib/requests/requester-search";
import { seedRequest, seedStaff } from "@/lib/requests/testing";

// Support finds requests by the requester's name or e-mail (case- and accent-insensitive,
// server-side); the log records the search and its result ids, never the text typed.

const ctx = useTestConsoleDb();

describe("searchByRequester", () => {
  it("matches name or contact case- and accent-insensitively, logs without the text, refuses roles without personal access", async () => {
    expect(ctx.current.dataDir).toContain("/");
    const support = await seedStaff("support");
    const r1 = await seedRequest({ createdById: support.id, receivedAt: new Date("2026-01-05T00:00:00Z"), requesterName: "Zoë Ångström", requesterContact: "zoe.a@example.net" });
    const r2 = await seedRequest({ createdById: support.id, receivedAt: new Date("2026-01-06T00:00:00Z"), requesterName: "Bob Jones", requesterContact: "ZOE.A@EXAMPLE.NET" });
    await seedRequest({ createdById: support.id, receivedAt: new Date("2026-01-07T00:00:00Z"), requesterName: "Carol King", requesterContact: "carol@example.org" });

    const byName = await searchByRequester(support.actor, "support", "zoe angstrom");
    expect(byName).toMatchObject({ ok: true, matches: [{ id: r1.id, requesterName: "Zoë Ångström" }] });
    const byMail = await searchByRequester(support.actor, "support", "Zoe.A@example.net");
    expect(byMail.ok && byMail.matches.map((m) => m.id)).toEqual([r2.id, r1.id]);
    expect(await searchByRequester(support.actor, "support", "nobody-here")).toMatchObject({ ok: true, matches: [] });
    expect(await searchByRequester(support.actor, "support", "z")).toMatchObject({ ok: false });
    expect(await searchByRequester(support.actor, "auditor", "zoe")).toMatchObject({ ok: false, message: /cannot search/ });

    const log = await db().accessLogEntry.findMany({ where: { action: "request.search.requester" }, orderBy: { seq: "asc" } });
    expect(log.map((e) => e.outcome)).toEqual(["ok", "ok", "not_found"]);
    for (const e of log) expect(`${e.details} ${e.purpose ?? ""}`.toLowerCase()).not.toMatch(/zoe|example\.net|nobody/);
  });
});
