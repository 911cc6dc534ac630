import { beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { recordAccess } from "@/lib/audit/log";
import { useTestConsoleDb } from "@/lib/test/console-db";

// The page's server actions and the export route, with the session guard stubbed (the guard
// itself is tested with the auth work): the permission each asks for, what each logs, and that
// an identifier typed by the auditor never reaches a URL.

const guard = vi.hoisted(() => ({ role: "auditor" as string, asked: [] as string[], deny: false }));
vi.mock("@/lib/auth/guard", () => {
  const op = () => ({ id: "s-1", email: "aud@example.org", displayName: "A", role: guard.role, sessionId: "x", ip: "127.0.0.1", userAgent: "t" });
  return {
    requireOperator: async (p: string) => (guard.asked.push(p), op()),
    requireApiOperator: async (p: string) => {
      guard.asked.push(p);
      return guard.deny ? Response.json({ error: { code: "forbidden" } }, { status: 403 }) : op();
    },
    actorOf: (o: { id: string; email: string; role: string }) => ({ id: o.id, label: o.email, role: o.role }),
  };
});
class Redirect extends Error {}
vi.mock("next/navigation", () => ({ redirect: (url: string) => { throw new Redirect(url); } }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

const { findTargetPseudonym, sealAccessLogCheckpoint, verifyAccessLog } = await import("@/lib/audit/actions");
const { GET } = await import("@/app/api/access-log/export/route");

useTestConsoleDb();
beforeEach(() => {
  guard.asked = [];
  guard.deny = false;
});
const last = () => db().accessLogEntry.findFirstOrThrow({ orderBy: { seq: "desc" } });
const form = (o: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(o)) f.set(k, v);
  return f;
};

describe("access-log server actions", () => {
  it("findTargetPseudonym redirects with the pseudonym only, keeping known filters", async () => {
    await recordAccess({ actor: { id: null, label: "cli:x", role: "dpo" }, action: "subject.reveal", outcome: "ok", target: { type: "email", value: "bob@example.org" } });
    const err = await findTargetPseudonym({}, form({ targetType: "email", identifier: " Bob@Example.org ", currentQuery: "outcome=ok&evil=1&page=3" })).catch((e) => e);
    expect(err).toBeInstanceOf(Redirect);
    const url = new URL((err as Error).message, "http://x");
    expect(url.pathname).toBe("/access-log");
    expect(Object.fromEntries(url.searchParams)).toEqual({ outcome: "ok", target: pseudonymFor("email", "bob@example.org") });
    expect(url.toString().toLowerCase()).not.toContain("bob");
    expect(guard.asked).toEqual(["accessLog.view"]);
    const entry = await last();
    expect(entry).toMatchObject({ action: "accessLog.target.lookup", targetType: "email", targetPseudonym: pseudonymFor("email", "bob@example.org") });
    expect(JSON.stringify(entry).toLowerCase()).not.toContain("bob");
  });

  it("findTargetPseudonym reads a phone number typed the national way like the subject search does", async () => {
    // Logged in Sydent's form (E.164 digits); the auditor types "07700 900123".
    await recordAccess({ actor: { id: null, label: "cli:x", role: "dpo" }, action: "subject.search", outcome: "ok", target: { type: "msisdn", value: "447700900123" } });
    const err = await findTargetPseudonym({}, form({ targetType: "msisdn", identifier: "07700 900123" })).catch((e) => e);
    expect(err).toBeInstanceOf(Redirect);
    const url = new URL((err as Error).message, "http://x");
    expect(url.searchParams.get("target")).toBe(pseudonymFor("msisdn", "447700900123"));
    expect(url.toString()).not.toContain("900123");
    expect(await last()).toMatchObject({ action: "accessLog.target.lookup", targetType: "msisdn", targetPseudonym: pseudonymFor("msisdn", "447700900123") });
    const bad = await findTargetPseudonym({}, form({ targetType: "msisdn", identifier: "call me maybe" }));
    expect(bad.errors?.identifier?.[0]).toMatch(/^Not a phone number/);
  });

  it("findTargetPseudonym finds abuse-block targets by their canonical form (an IPv6 range typed long-hand)", async () => {
    const err = await findTargetPseudonym({}, form({ targetType: "ip", identifier: "2001:DB8:0:0::/48" })).catch((e) => e);
    expect(err).toBeInstanceOf(Redirect);
    const url = new URL((err as Error).message, "http://x");
    expect(url.searchParams.get("target")).toBe(pseudonymFor("ip", "2001:db8::/48"));
    expect(url.toString()).not.toContain("2001");
    const bad = await findTargetPseudonym({}, form({ targetType: "ip", identifier: "0.0.0.0/0" }));
    expect(bad.errors?.identifier?.[0]).toMatch(/every address/);
  });

  it("findTargetPseudonym returns field errors for bad input", async () => {
    const r = await findTargetPseudonym({}, form({ targetType: "fax", identifier: "" }));
    expect(r.errors?.targetType).toBeDefined();
    expect(r.errors?.identifier).toBeDefined();
  });

  it("verifyAccessLog needs accessLog.verify, reports the result and logs it", async () => {
    const r = await verifyAccessLog({ status: "idle" }, new FormData());
    expect(guard.asked).toEqual(["accessLog.verify"]);
    expect(r.status).toBe("done");
    if (r.status === "done") expect(r.result.ok).toBe(true);
    expect(await last()).toMatchObject({ action: "accessLog.verify", outcome: "ok" });
  });

  it("sealAccessLogCheckpoint needs accessLog.seal and seals", async () => {
    guard.role = "dpo";
    const r = await sealAccessLogCheckpoint({}, new FormData());
    expect(guard.asked).toEqual(["accessLog.seal"]);
    expect(r.ok).toBe(true);
    const cp = await db().accessLogCheckpoint.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect((await last()).seq).toBe(cp.seq);
    expect((await last()).action).toBe("accessLog.seal");
    guard.role = "auditor";
  });
});

describe("GET /api/access-log/export", () => {
  it("streams CSV of all matches and logs the export with filters and count", async () => {
    const before = (await last()).seq;
    const res = await GET(new Request("http://x/api/access-log/export?action=accessLog.&page=2&pageSize=1"));
    expect(guard.asked).toEqual(["accessLog.export"]);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="custodian-access-log-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await res.text()).trimEnd().split("\r\n");
    const logged = await last();
    expect(logged).toMatchObject({ action: "accessLog.export", outcome: "ok" });
    const details = JSON.parse(logged.details!);
    expect(details).toMatchObject({ format: "csv", filters: { action: "accessLog." }, upToSeq: before });
    expect(lines.length - 1).toBe(details.rows);
    expect(details.rows).toBeGreaterThanOrEqual(3); // lookup, verify, seal (all pages, not page 2 of size 1)
  });

  it("returns the guard's response when the role may not export", async () => {
    guard.deny = true;
    const res = await GET(new Request("http://x/api/access-log/export"));
    expect(res.status).toBe(403);
  });
});
