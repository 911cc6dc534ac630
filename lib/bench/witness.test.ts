import { describe, expect, it } from "vitest";
import { runWitnessBench } from "@/lib/bench/witness";

// Smoke test of `npm run bench -- --only witness` on 1000 entries: the shape of the result and
// that the generated log verifies and witnesses (no timing assertions).

describe("access-log bench", () => {
  it("builds a log that verifies, and reports verification, sha256sum and proof figures", async () => {
    const r = await runWitnessBench({ entries: 1000, iterations: 5, log: () => {} });
    expect(r).toMatchObject({ entries: 1000, sthSize: 1000, iterations: 5 });
    expect(r.bytes).toBeGreaterThan(1000 * 200);
    for (const k of ["p50", "p95", "max"] as const) expect(r.inclusionMs[k]).toBeGreaterThan(0);
    expect(r.verify.entriesPerS).toBeGreaterThan(0);
    expect(r.sha256sum.ms).toBeGreaterThanOrEqual(0);
  }, 300_000);
});
