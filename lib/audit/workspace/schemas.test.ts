import { describe, expect, it } from "vitest";
import { CUTOFF_MESSAGE, FUTURE_CUTOFF_MESSAGE, N_MESSAGE, SEED_MESSAGE, sampleParamsError, sampleParamsSchema, sampleQuery } from "@/lib/audit/workspace/schemas";

// A sample's parameters as the page, the routes and the CLI read them: one message per problem.

const problem = (input: Record<string, unknown>) => {
  const r = sampleParamsSchema.safeParse(input);
  return r.success ? null : sampleParamsError(r.error);
};

describe("sample parameters", () => {
  it("read seed, size and cut-off; an empty cut-off means now; the cut-off is kept in one canonical form", () => {
    expect(sampleParamsSchema.parse({ seed: "abc", n: "7", cutoff: "2026-01-02T03:04:05Z" })).toEqual({ seed: "abc", n: 7, cutoff: "2026-01-02T03:04:05.000Z" });
    expect(sampleParamsSchema.parse({ seed: "abc", cutoff: "" })).toEqual({ seed: "abc", n: 10, cutoff: undefined });
    expect(sampleParamsSchema.parse({ seed: "abc", n: 3 })).toEqual({ seed: "abc", n: 3, cutoff: undefined });
  });

  it("refuse a bad seed, size or cut-off with a message that says what is wrong", () => {
    expect(problem({ seed: "a b" })).toBe(SEED_MESSAGE);
    expect(problem({ seed: "" })).toBe(SEED_MESSAGE);
    for (const n of ["0", "101", "2.5", "ten"]) expect(problem({ seed: "s", n })).toBe(N_MESSAGE);
    for (const cutoff of ["yesterday", "2026-01-02", "2026-01-02T03:04:05+01:00", "2026-02-30T00:00:00Z"]) expect(problem({ seed: "s", cutoff })).toBe(CUTOFF_MESSAGE);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect(problem({ seed: "s", cutoff: future })).toBe(FUTURE_CUTOFF_MESSAGE);
  });

  it("a sample's URL carries all three", () => {
    expect(sampleQuery({ seed: "s-1", n: 4, cutoff: "2026-01-02T03:04:05.000Z" })).toBe("seed=s-1&n=4&cutoff=2026-01-02T03%3A04%3A05.000Z");
  });
});
