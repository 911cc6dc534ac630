import { describe, expect, it } from "vitest";
import { verifyPage } from "@/lib/erasure/bulk-verify";
import { useTestConsoleDb } from "@/lib/test/console-db";

// A bulk page holds up to 1,000 jobs: reading their verify steps must not put them all in one
// statement (SQLite caps a statement's bound parameters; the real benchmark hit it).

useTestConsoleDb();

describe("verifyPage", () => {
  it("reads a page of 1,200 jobs in chunks (nothing to verify for jobs that do not exist)", async () => {
    const ids = Array.from({ length: 1200 }, (_, i) => `job-${i}`);
    const found = await verifyPage(ids);
    expect(found("server", "job-0")).toBeUndefined();
  });
});
