import { describe, expect, it } from "vitest";
import { ipContains, parseBlockTarget } from "@/lib/blocks/targets";
import { checkNewBlock, isBroad, overlapsOf } from "@/lib/blocks/rules";
import { LOOPBACK } from "@/lib/blocks/protected";
import { patternsFor } from "@/lib/blocks/lists";

const now = new Date("2026-12-04T12:00:00Z");
const ctx = { now, protectedSources: [...LOOPBACK, { value: "192.0.2.10", why: "replication peer is2.example" }], protectedHomeservers: ["matrix.org"], existing: [] };
const ok = { kind: "ip", target: "203.0.113.7", scope: "all", reason: "requestToken flood seen in HAProxy log", expiresAt: "2026-12-10T00:00:00Z" };

describe("block targets", () => {
  it.each([
    ["ip", "203.0.113.7", "203.0.113.7"],
    ["ip", "203.0.113.0/24", "203.0.113.0/24"],
    ["ip", "2001:DB8:0:0::/48", "2001:db8::/48"],
    ["email", "Alice@Example.org", "alice@example.org"],
    ["mxid", "@spam:evil.example", "@spam:evil.example"],
    ["msisdn", "+44 7700 900123", "447700900123"],
    ["domain", "@Spam.Example", "spam.example"],
    ["homeserver", "Evil.Example:8448", "evil.example:8448"],
  ])("%s %s is stored as %s", (kind, raw, value) => {
    expect(parseBlockTarget(kind, raw)).toMatchObject({ ok: true, kind, value });
  });

  it.each([
    ["ip", "0.0.0.0/0", /every address/],
    ["ip", "::/0", /every address/],
    ["ip", "10.0.0.5/8", /bits are set after the \/8 prefix \(the range starts at 10\.0\.0\.0\/8\)/],
    ["ip", "300.1.1.1", /Not an IP address/],
    ["ip", "1.2.3.4/33", /at most \/32/],
    ["ip", "::ffff:1.2.3.4", /IPv4-mapped/],
    ["ip", "224.0.0.0/4", /multicast/],
    ["ip", "240.0.0.0/4", /reserved/],
    ["ip", "0x7f.1", /Not an IP address/],
    ["mxid", "@spam", /:server part is missing/],
    ["email", "alice@example.org.", /ends with a dot/],
    ["msisdn", "07700 900123", /needs its country code/],
    ["msisdn", "+44 12", /Not a phone number/],
    ["domain", "example.org.", /ends with a dot/],
    ["homeserver", "evil.example:99999", /above 65535/],
    ["nonsense", "x", /Unknown block kind/],
  ])("%s %s is refused", (kind, raw, message) => {
    const r = parseBlockTarget(kind, raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it("containment and breadth", () => {
    expect(ipContains("10.0.0.0/16", "10.0.3.0/24")).toBe(true);
    expect(ipContains("10.0.3.0/24", "10.0.0.0/16")).toBe(false);
    expect(ipContains("10.0.0.0/8", "2001:db8::1")).toBe(false);
    expect(ipContains("10.0.3.0/24", "10.0.3.255")).toBe(true);
    expect(ipContains("10.0.3.0/24", "10.0.4.0")).toBe(false);
    expect(ipContains("203.0.113.7", "203.0.113.7")).toBe(true);
    expect(ipContains("0.0.0.0/0", "198.51.100.1")).toBe(true);
    expect(ipContains("2001:db8::/32", "2001:db8:ffff:ffff::1")).toBe(true);
    expect(ipContains("2001:db8::/48", "2001:db8:1::1")).toBe(false);
    expect(ipContains("::/0", "10.0.0.1")).toBe(false);
    expect(overlapsOf("ip", "10.0.3.0/24", [
      { id: "a", kind: "ip", value: "10.0.0.0/16", scope: "all", state: "active" },
      { id: "b", kind: "ip", value: "10.0.3.9", scope: "all", state: "active" },
      { id: "c", kind: "ip", value: "10.0.4.0/24", scope: "all", state: "active" },
      { id: "d", kind: "ip", value: "10.0.3.0/24", scope: "validation", state: "active" },
    ]).map((o) => `${o.id}:${o.relation}`)).toEqual(["a:inside an existing range", "b:contains an existing block", "d:same target"]);
    expect(isBroad("ip", { family: "ipv4", bits: 15 })).toBe(true);
    expect(isBroad("ip", { family: "ipv4", bits: 16 })).toBe(false);
    expect(isBroad("ip", { family: "ipv6", bits: 47 })).toBe(true);
    expect(isBroad("domain")).toBe(true);
    expect(isBroad("email")).toBe(false);
  });

  it("phone patterns cover Sydent's international and national-with-country forms", () => {
    const p = patternsFor("msisdn", "447700900123");
    expect(p).toEqual(expect.arrayContaining(["+447700900123", "GB:7700900123", "GB:07700900123"]));
    expect(patternsFor("domain", "spam.example")).toEqual(["@spam.example"]);
  });
});

describe("block rules", () => {
  it("a valid block passes with its normalised target", () => {
    expect(checkNewBlock(ok, ctx)).toMatchObject({ ok: true, block: { kind: "ip", value: "203.0.113.7", broad: false } });
  });

  it.each([
    [{ expiresAt: "2026-12-01T00:00:00Z" }, "expiresAt", /in the past/],
    [{ expiresAt: "2027-06-30T00:00:00Z" }, "expiresAt", /at most 180 days/],
    [{ target: "127.0.0.0/8" }, "target", /loopback/],
    [{ target: "192.0.2.0/24" }, "target", /replication peer is2\.example/],
    [{ kind: "homeserver", target: "matrix.org" }, "target", /protected/],
    [{ kind: "mxid", target: "@someone:matrix.org" }, "target", /protected homeserver/],
    [{ reason: "spam" }, "reason", /at least 10/],
    [{ reason: "mail bombing of alice@example.org" }, "reason", /without e-mail addresses/],
    [{ scope: "everything" }, "scope", /Choose a scope/],
  ])("%j is refused on %s", (change, field, message) => {
    const r = checkNewBlock({ ...ok, ...change }, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.stringMatching(message) })]));
  });

  it("an exact duplicate is refused; overlaps are reported", () => {
    const existing = [{ id: "b1", kind: "ip", value: "203.0.0.0/16", scope: "all", state: "active" }, { id: "b2", kind: "ip", value: "203.0.113.7", scope: "all", state: "active" }];
    const r = checkNewBlock(ok, { ...ctx, existing });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0].message).toMatch(/already blocked.*renew/);
    expect(overlapsOf("ip", "203.0.113.0/24", existing).map((o) => o.relation)).toEqual(["inside an existing range", "contains an existing block"]);
  });
});

describe("CUSTODIAN_HAPROXY_SOCKET", () => {
  it("refuses a socket path HAProxy would refuse (over 97 characters), naming the variable", async () => {
    const { parseEnv } = await import("@/lib/env");
    const base = { NEXTAUTH_SECRET: "x".repeat(32), CUSTODIAN_MASTER_KEY: "0".repeat(64) } as unknown as NodeJS.ProcessEnv;
    expect(parseEnv({ ...base, CUSTODIAN_HAPROXY_SOCKET: "/run/haproxy/admin.sock" }).CUSTODIAN_HAPROXY_SOCKET).toBe("/run/haproxy/admin.sock");
    expect(() => parseEnv({ ...base, CUSTODIAN_HAPROXY_SOCKET: `/srv/${"deep/".repeat(20)}admin.sock` })).toThrow(/CUSTODIAN_HAPROXY_SOCKET: is longer than 97 characters/);
  });
});
