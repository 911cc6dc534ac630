import Papa from "papaparse";
import { beforeAll, describe, expect, it } from "vitest";
import { recordAccess } from "@/lib/audit/log";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { accessLogCsvStream } from "@/lib/audit/export";
import { countAccessLogEntries, findAccessLogEntries, getAccessLogHeadSeq } from "@/lib/audit/queries";
import { accessLogFilterSchema, accessLogSearchSchema, type AccessLogFilter } from "@/lib/audit/schemas";
import { useTestConsoleDb } from "@/lib/test/console-db";

useTestConsoleDb();

const dpo = { id: "s-dpo", label: "dpo@example.org", role: "dpo" };
const sup = { id: "s-sup", label: "support@example.org", role: "support" };
const day = (d: number, h = 12) => new Date(Date.UTC(2026, 10, d, h));

beforeAll(async () => {
  // 30 entries: days 1..30 of November 2026, alternating actors, three actions, some denied.
  for (let i = 1; i <= 30; i++) {
    await recordAccess({
      actor: i % 2 ? dpo : sup,
      action: i % 3 === 0 ? "subject.reveal" : i % 3 === 1 ? "request.view" : "request.update",
      outcome: i % 5 === 0 ? "denied" : "ok",
      target: { type: "email", value: i <= 4 ? "alice@example.org" : `user${i}@example.org` },
      requestId: i === 7 ? "req-7" : null,
      purpose: i === 9 ? "=HYPERLINK(\"http://evil\",\"x\")" : null,
      at: day(i),
    });
  }
});

const find = (filter: AccessLogFilter, extra: Partial<Parameters<typeof findAccessLogEntries>[0]> = {}) =>
  findAccessLogEntries({ filter, page: 1, pageSize: 100, sort: "seq", dir: "asc", ...extra });

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("findAccessLogEntries", () => {
  it("pages with the same where for data and count", async () => {
    const r = await find({}, { page: 2, pageSize: 8 });
    expect(r).toMatchObject({ count: 30, page: 2, pageSize: 8, totalPages: 4 });
    expect(r.data.map((e) => e.seq)).toEqual([9, 10, 11, 12, 13, 14, 15, 16]);
    const last = await find({}, { page: 4, pageSize: 8 });
    expect(last.data).toHaveLength(6);
  });

  it("filters by action prefix, actor, role, outcome, request and UTC dates (to is inclusive)", async () => {
    expect((await find({ action: "request." })).count).toBe(20);
    expect((await find({ actor: "SUPPORT@" })).count).toBe(15);
    expect((await find({ role: "dpo", outcome: "denied" })).data.map((e) => e.seq)).toEqual([5, 15, 25]);
    expect((await find({ requestId: "req-7" })).data.map((e) => e.seq)).toEqual([7]);
    expect((await find({ from: "2026-11-10", to: "2026-11-12" })).data.map((e) => e.seq)).toEqual([10, 11, 12]);
  });

  it("filters by full pseudonym or its displayed prefix", async () => {
    const p = pseudonymFor("email", "Alice@Example.org");
    expect((await find({ target: p })).data.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect((await find({ target: p.slice(0, 12) })).count).toBe(4);
  });

  it("sorts by a column with seq as tie-breaker", async () => {
    const r = await find({}, { sort: "action", dir: "desc", pageSize: 12 });
    expect(r.data.slice(0, 10).every((e) => e.action === "subject.reveal")).toBe(true);
    expect(r.data.slice(0, 3).map((e) => e.seq)).toEqual([30, 27, 24]);
  });

  it("a malformed URL falls back to defaults instead of failing", () => {
    const s = accessLogSearchSchema.parse({ page: "-3", pageSize: "10000", sort: "hash", dir: "up", outcome: "maybe", target: "alice@example.org", from: "31/12/2026" });
    expect(s).toMatchObject({ page: 1, pageSize: 25, sort: "seq", dir: "desc", outcome: undefined, target: undefined, from: undefined });
  });
});

describe("access-log CSV export", () => {
  it("streams every matching entry across pages, neutralises formulas, stops at maxSeq", async () => {
    const filter = accessLogFilterSchema.parse({ action: "subject." });
    const maxSeq = await getAccessLogHeadSeq();
    expect(await countAccessLogEntries({ filter, maxSeq })).toBe(10);
    await recordAccess({ actor: dpo, action: "subject.reveal", outcome: "ok" }); // after the export began
    const csv = await readAll(accessLogCsvStream({ filter, maxSeq, pageSize: 3 }));
    const rows = Papa.parse<Record<string, string>>(csv.trimEnd(), { header: true }).data;
    expect(rows).toHaveLength(10);
    expect(rows.map((r) => Number(r.seq))).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 27, 30]);
    expect(rows.find((r) => r.seq === "9")?.purpose).toBe("'=HYPERLINK(\"http://evil\",\"x\")");
    expect(Object.keys(rows[0])).toEqual(expect.arrayContaining(["prevHash", "hash", "targetPseudonym"]));
    expect(csv).not.toMatch(/alice|user\d+@/i); // targets are pseudonyms; only staff labels hold e-mails
  });
});
