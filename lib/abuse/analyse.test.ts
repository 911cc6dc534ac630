import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { analyseLogs, networkOf, requestKind } from "@/lib/abuse/analyse";
import { fixtureServers, plainLines } from "@/lib/logs/test-helpers";
import { FIXTURE_DIR } from "@/lib/sydent/test-fixtures";

// The abuse view's numbers against the real fixture logs (HAProxy 2.6 and Sydent 2.7.0, plain and
// gzipped), counted here the simple way for comparison.

const window = { from: new Date("2026-01-01T00:00:00Z"), to: new Date("2027-01-01T00:00:00Z") };
const files = (dir: string) => fs.readdirSync(dir).filter((f) => f.startsWith(dir.endsWith("haproxy") ? "haproxy.log" : "sydent.log")).map((f) => path.join(dir, f));
const haproxyLines = files(path.join(FIXTURE_DIR, "haproxy")).flatMap(plainLines);
const sydentLines = ["is1", "is2"].flatMap((i) => files(path.join(FIXTURE_DIR, i))).flatMap(plainLines);

describe("abuse analysis of the fixture logs", () => {
  it("counts each client's requests of each kind, plain and gzipped files alike", async () => {
    const a = await analyseLogs(fixtureServers(), window);
    const expected = new Map<string, number>();
    for (const l of haproxyLines) {
      const m = /haproxy\[\d+\]: ([\d.]+):\d+ .*"(POST|GET) ([^ ]+) HTTP/.exec(l);
      if (!m || !m[3].split("?")[0].endsWith("/validate/email/requestToken")) continue;
      expected.set(m[1], (expected.get(m[1]) ?? 0) + 1);
    }
    expect(expected.size).toBeGreaterThan(0);
    const got = new Map(a.rows.filter((r) => r.category === "source" && r.kind === "request_token_email").map((r) => [r.key, r.count]));
    expect(got).toEqual(expected);
    expect(a.filesRead).toBe(files(path.join(FIXTURE_DIR, "haproxy")).length + ["is1", "is2"].flatMap((i) => files(path.join(FIXTURE_DIR, i))).length);
  });

  it("Sydent's rate-limit hits, validation targets and inviting homeservers", async () => {
    const a = await analyseLogs(fixtureServers(), window);
    const sum = (cat: string) => a.rows.filter((r) => r.category === cat).reduce((n, r) => n + r.count, 0);
    expect(sum("ratelimit")).toBe(sydentLines.filter((l) => l.includes(" - WARNING - Ratelimit hit: ")).length);
    expect(sum("homeserver")).toBe(sydentLines.filter((l) => l.includes(" - INFO - Store invite request from @")).length);
    expect(sum("threepid")).toBe(sydentLines.filter((l) => / - INFO - Attempting to (mail|text) code /.test(l)).length);
    expect(a.rows.filter((r) => r.category === "domain").every((r) => !r.key.includes("@") && r.key === r.key.toLowerCase())).toBe(true);
  });

  it("a narrow window only counts lines inside it", async () => {
    const all = await analyseLogs(fixtureServers(), window);
    const none = await analyseLogs(fixtureServers(), { from: new Date("2020-01-01T00:00:00Z"), to: new Date("2020-01-02T00:00:00Z") });
    expect(all.rows.length).toBeGreaterThan(0);
    expect(none.rows).toEqual([]);
  });

  it("request kinds and networks", () => {
    expect(requestKind("POST", "/_matrix/identity/api/v1/bulk_lookup")).toBe("bulk_lookup");
    expect(requestKind("GET", "/_matrix/identity/api/v1/lookup?medium=email&address=a%40b")).toBe("lookup");
    expect(requestKind("POST", "/_matrix/identity/v2/validate/msisdn/requestToken")).toBe("request_token_msisdn");
    expect(requestKind("POST", "/_matrix/identity/v2/account/register")).toBe("register");
    expect(requestKind("GET", "/wp-login.php")).toBeNull();
    expect(networkOf("203.0.113.77")).toBe("203.0.113.0/24");
    expect(networkOf("2001:db8:1:2::5")).toBe("2001:db8:1::/48");
  });
});
