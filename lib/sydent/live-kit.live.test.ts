import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_DIR } from "@/lib/sydent/test-fixtures";
import { LiveSydent } from "@/lib/test/sydent-live";


// The harness itself: two real Sydent servers on copies of the fixture answer lookups as
// truth.json says, serve a bounded load without a failure, and log no error.
let live: LiveSydent;
beforeAll(async () => {
  live = await LiveSydent.start();
});
afterAll(async () => {
  await live?.dispose();
});

describe("live Sydent kit", () => {
  it("answers a v1 lookup for a bound fixture address on both servers, through Sydent's HTTP API", async () => {
    const { subjects } = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, "truth.json"), "utf8")) as {
      subjects: { mxid: string | null; threepids: { medium: string; address: string; state: string }[] }[];
    };
    const subject = subjects.find((s) => s.mxid && s.threepids.some((t) => t.state === "bound"))!;
    const tp = subject.threepids.find((t) => t.state === "bound")!;
    for (const name of ["is1", "is2"] as const) {
      const url = new URL("/_matrix/identity/api/v1/lookup", live.instance(name).client_url);
      url.searchParams.set("medium", tp.medium);
      url.searchParams.set("address", tp.address);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect((await res.json()).mxid).toBe(subject.mxid);
    }
  });

  it("serves the bounded load with no failed request and no Sydent error line", async () => {
    const load = await live.load(10, 5);
    expect(load.requests).toBeGreaterThan(0);
    expect(load.failures).toBe(0);
    const errors = await live.errors();
    expect(errors.errors_total + errors.console_errors_total).toBe(0);
  });
});
