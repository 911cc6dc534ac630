import { describe, expect, it } from "vitest";
import { z } from "zod";
import { dateParam, paginationSchema, searchParamsObject, sortSchema, startOfNextUtcDay, textParam } from "@/lib/validation";

describe("shared URL schemas", () => {
  it("pagination coerces and falls back to defaults on anything malformed", () => {
    expect(paginationSchema.parse({})).toEqual({ page: 1, pageSize: 25 });
    expect(paginationSchema.parse({ page: "3", pageSize: "50" })).toEqual({ page: 3, pageSize: 50 });
    expect(paginationSchema.parse({ page: "0", pageSize: "101" })).toEqual({ page: 1, pageSize: 25 });
    expect(paginationSchema.parse({ page: "x", pageSize: "-5" })).toEqual({ page: 1, pageSize: 25 });
    expect(paginationSchema.parse({ page: "2.5", pageSize: "1e3" })).toEqual({ page: 1, pageSize: 25 });
  });

  it("sort accepts only listed columns and directions", () => {
    const s = sortSchema(["at", "seq"] as const, "at", "desc");
    expect(s.parse({ sort: "seq", dir: "asc" })).toEqual({ sort: "seq", dir: "asc" });
    expect(s.parse({ sort: "passwordHash", dir: "sideways" })).toEqual({ sort: "at", dir: "desc" });
  });

  it("dates must be real YYYY-MM-DD days; text is trimmed and bounded", () => {
    const o = z.object({ from: dateParam, q: textParam(5) });
    expect(o.parse({ from: "2026-02-28", q: "  ab " })).toEqual({ from: "2026-02-28", q: "ab" });
    expect(o.parse({ from: "2026-02-30", q: "toolong" })).toEqual({ from: undefined, q: undefined });
    expect(o.parse({ from: "yesterday", q: "  " })).toEqual({ from: undefined, q: undefined });
    expect(startOfNextUtcDay("2026-12-31").toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });

  it("searchParamsObject keeps the first of repeated values", () => {
    expect(searchParamsObject({ a: ["1", "2"], b: "x", c: undefined })).toEqual({ a: "1", b: "x" });
    expect(searchParamsObject(new URLSearchParams("a=1&a=2&b="))).toEqual({ a: "1", b: "" });
  });
});
