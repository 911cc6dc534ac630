import crypto from "node:crypto";
import Papa from "papaparse";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { canonicalJson } from "@/lib/retention/attestation";
import { useTestConsoleDb } from "@/lib/test/console-db";

// GET /api/retention/files/<source>: the retention page's files list as CSV, with the session
// guard stubbed (the guard is tested with the auth work). The rows come from the newest
// attestation of the source (stored here as a payload like the audit writes); what matters is the
// permission asked for, the filters applied to every page, formula safety and the access-log entry.

const guard = vi.hoisted(() => ({ asked: [] as string[], deny: false }));
vi.mock("@/lib/auth/guard", () => {
  const op = () => ({ id: "s-1", email: "dpo@example.org", displayName: "D", role: "dpo", sessionId: "x", ip: "127.0.0.1", userAgent: "t" });
  return {
    requireApiOperator: async (p: string) => {
      guard.asked.push(p);
      return guard.deny ? Response.json({ error: { code: "forbidden" } }, { status: 403 }) : op();
    },
    actorOf: (o: { id: string; email: string; role: string }) => ({ id: o.id, label: o.email, role: o.role }),
  };
});

const { GET } = await import("@/app/api/retention/files/[source]/route");

useTestConsoleDb();

const file = (name: string, verdict: string, overdueDays: number, gzip = true) => ({
  file: `/var/log/haproxy/${name}`, verdict, rotated: name !== "haproxy.log", gzip, lines: 5, overdueLines: overdueDays ? 5 : 0,
  oldestLineAt: "2026-07-01T00:00:00.000Z", newestLineAt: "2026-07-01T10:00:00.000Z", mtime: "2026-07-02T00:00:00.000Z",
  mustBeGoneBy: "2026-08-30T10:00:00.000Z", overdueDays, sha256: null, classes: { haproxy: { lines: 5, overdueLines: overdueDays ? 5 : 0 } },
});

async function attest(createdAt: string, files: ReturnType<typeof file>[]) {
  const payload = canonicalJson({
    createdAt, kind: "audit",
    audit: { sources: [{ source: "haproxy:haproxy", policyDays: { lookup: 7, haproxy: 60, application: 60, connection: 180 }, classes: {}, files, findings: [] }], stores: [] },
  });
  return db().retentionAttestation.create({
    data: { kind: "audit", createdAt: new Date(createdAt), operatorLabel: "t", payload, payloadSha256: crypto.createHash("sha256").update(payload).digest("hex"), signature: "x", publicKey: "x", keyId: "x", overdue: true, findings: 0 },
  });
}

let newest: { id: string };
beforeAll(async () => {
  await attest("2026-11-01T00:00:00.000Z", [file("old-attestation.gz", "expired", 9)]);
  newest = await attest("2026-11-27T12:00:00.000Z", [
    file("haproxy.log", "within", 0, false),
    file("haproxy.log.8.gz", "within", 0),
    file("haproxy.log.62.gz", "expired", 2),
    file("haproxy.log.190.gz", "expired", 130),
    file("+cmd.gz", "expired", 1),
  ]);
});
beforeEach(() => {
  guard.asked = [];
  guard.deny = false;
});
const last = () => db().accessLogEntry.findFirstOrThrow({ orderBy: { seq: "desc" } });
const get = (q: string, source = "haproxy%3Ahaproxy") => GET(new Request(`http://x/api/retention/files/${source}?${q}`), { params: Promise.resolve({ source }) });

describe("GET /api/retention/files/<source>", () => {
  it("exports every matching file of the newest attestation (all pages), in the asked order, formula-safe, and logs it", async () => {
    const res = await get("verdict=expired&sort=overdueDays&dir=desc&page=2&pageSize=1");
    expect(guard.asked).toEqual(["retention.view"]);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="custodian-retention-files-haproxy-haproxy-2026-11-27.csv"');
    const rows = Papa.parse<string[]>((await res.text()).trimEnd(), { newline: "\r\n" }).data;
    expect(rows.slice(1).map((r) => [r[1], r[14], r[15]])).toEqual([
      ["haproxy.log.190.gz", "130", newest.id],
      ["haproxy.log.62.gz", "2", newest.id],
      ["'+cmd.gz", "1", newest.id],
    ]);
    const logged = await last();
    expect(logged).toMatchObject({ action: "retention.files.export", outcome: "ok" });
    expect(JSON.parse(logged.details!)).toEqual({ format: "csv", source: "haproxy:haproxy", attestationId: newest.id, filters: { verdict: "expired" }, sort: "overdueDays desc", rows: 3 });
  });

  it("a plain-text filter and name search narrow the list", async () => {
    const rows = Papa.parse<string[]>((await (await get("gzip=no&q=HAPROXY")).text()).trimEnd(), { newline: "\r\n" }).data;
    expect(rows.slice(1).map((r) => r[1])).toEqual(["haproxy.log"]);
  });

  it("404 for a source never audited; the guard's answer when the role may not view", async () => {
    expect((await get("", "sydent%3Anope")).status).toBe(404);
    guard.deny = true;
    expect((await get("")).status).toBe(403);
  });
});
