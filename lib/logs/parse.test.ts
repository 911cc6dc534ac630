import path from "node:path";
import { describe, expect, it } from "vitest";
import { classifyLogName } from "@/lib/logs/files";
import { compileNeedles, percentDecode } from "@/lib/logs/needles";
import { holdsIpAddress, parseClfDate, parseHaproxyTime, parseSydentTime, requestTarget, sydentLogger } from "@/lib/logs/parse";
import { plainLines } from "@/lib/logs/test-helpers";
import { FIXTURE_DIR } from "@/lib/sydent/test-fixtures";

describe("line timestamps", () => {
  it("Sydent asctime as UTC; continuation lines have none", () => {
    expect(parseSydentTime("2026-11-27 13:12:06,757 - twisted - 147 - INFO - x")?.toISOString()).toBe("2026-11-27T13:12:06.757Z");
    expect(parseSydentTime("Traceback (most recent call last):")).toBeNull();
    expect(parseSydentTime("2026-13-27 13:12:06,757 - x")).toBeNull();
  });
  it("rsyslog RFC 3339 with its offset, traditional stamps through HAProxy's accept date", () => {
    expect(parseHaproxyTime("2026-11-27T14:11:55.835099+00:00 lb-dev-01 haproxy[903]: x")?.toISOString()).toBe("2026-11-27T14:11:55.835Z");
    expect(parseHaproxyTime("2026-11-27T15:11:55.835099+01:00 lb haproxy[1]: x")?.toISOString()).toBe("2026-11-27T14:11:55.835Z");
    const trad = "Nov 27 14:11:56 lb-dev-01 haproxy[903]: 10.0.0.1:44323 [27/Nov/2026:13:12:06.655] fe be/s 0/0/3/1/4 404 317";
    expect(parseHaproxyTime(trad)?.toISOString()).toBe("2026-11-27T13:12:06.655Z");
    expect(parseClfDate('"127.0.0.1" - - [27/Nov/2026:14:13:37 -0100] "GET')?.toISOString()).toBe("2026-11-27T15:13:37.000Z");
  });
  it("every line of the real files: records have a time, or are Sydent continuation lines", () => {
    for (const [rel, parse] of [["is1/sydent.log", parseSydentTime], ["is2/sydent.log", parseSydentTime], ["haproxy/haproxy.log", parseHaproxyTime]] as const) {
      const lines = plainLines(path.join(FIXTURE_DIR, rel));
      const timed = lines.filter((l) => parse(l) !== null);
      expect(timed.length, rel).toBe(lines.filter((l) => /^\d{4}-/.test(l)).length);
    }
  });
  it("logger, request target and IP addresses", () => {
    const l = '2026-11-27 14:13:38,660 - twisted - 147 - INFO - "127.0.0.1" - - [27/Nov/2026:14:13:37 +0000] "GET /_matrix/identity/api/v1/lookup?medium=email&address=a%40b.org HTTP/1.1" 200 315 "-" "UA"';
    expect(sydentLogger(l)).toBe("twisted");
    expect(requestTarget(l)).toBe("/_matrix/identity/api/v1/lookup?medium=email&address=a%40b.org");
    expect(holdsIpAddress(l)).toBe(true);
    expect(holdsIpAddress("client 2001:db8::1 connected")).toBe(true);
    expect(holdsIpAddress("2026-11-27 14:11:53,480 - __main__ - 82 - INFO - Starting Sydent server")).toBe(false);
  });
});

describe("log file names", () => {
  it.each([
    ["sydent.log", false, false, "current"],
    ["sydent.log.2026-11-26", true, false, "date"],
    ["sydent.log.2026-11-19.synthetic-aged.gz", true, true, "date"],
    ["sydent.log.2026-11-26_13", true, false, "date"],
    ["haproxy.log.1", true, false, "index"],
    ["haproxy.log.62.synthetic-aged.gz", true, true, "index"],
    ["haproxy.log-20261126.gz", true, true, "date"],
  ])("%s", (name, rotated, gzip, kind) => {
    const c = classifyLogName(name);
    expect([c.rotated, c.gzip, c.rotation.kind]).toEqual([rotated, gzip, kind]);
  });
});

describe("needles", () => {
  const ctx = { source: "sydent" as const, origin: "is1" };
  it("emails: any spelling, URL-encoded with upper or lower hex, never inside a longer address", () => {
    const m = compileNeedles({ emails: ["bob+x@example.com", "straße@example.de"], msisdns: [], mxids: [], sids: [] });
    expect(m.match("mail to Bob+X@Example.COM.", ctx)).toEqual(["email"]);
    expect(m.match("address=bob%2Bx%40example.com HTTP", ctx)).toEqual(["email-urlencoded"]);
    expect(m.match("address=BOB%2bx%40EXAMPLE.com HTTP", ctx)).toEqual(["email-urlencoded"]);
    expect(m.match("to STRASSE@example.de", ctx)).toEqual(["email"]);
    expect(m.match("address=stra%C3%9Fe%40example.de", ctx)).toEqual(["email-urlencoded"]);
    for (const miss of ["jimbob+x@example.com", "bob+x@example.com.evil.org", "bob+x@example.community"]) expect(m.match(miss, ctx)).toEqual([]);
  });
  it("msisdns: alone, after + or %2B, never within a longer number", () => {
    const m = compileNeedles({ emails: [], msisdns: ["447700900123"], mxids: [], sids: [] });
    expect(m.match("text code 1 to 447700900123 (country 44)", ctx)).toEqual(["msisdn"]);
    expect(m.match("n=+447700900123", ctx)).toEqual(["msisdn-plus"]);
    expect(m.match("n=%2b447700900123&x", ctx)).toEqual(["msisdn-urlencoded"]);
    expect(m.match("1447700900123 4477009001234 x447700900123", ctx)).toEqual([]);
  });
  it("mxids exactly, in clear or encoded; sids as whole numbers in Sydent lines, sid= in HAProxy, per origin", () => {
    const m = compileNeedles({ emails: [], msisdns: [], mxids: ["@a:hs.org"], sids: ["123", { sid: "456", origin: "is2" }] });
    expect(m.match("bind for @a:hs.org: failed", ctx)).toEqual(["mxid"]);
    expect(m.match("mxid=%40a%3Ahs.org&", ctx)).toEqual(["mxid-urlencoded"]);
    expect(m.match("@a:hs.org.evil @a:hs.org:8448 @A:hs.org", ctx)).toEqual([]);
    expect(m.match("Setting session 123 as validated", ctx)).toEqual(["sid"]);
    expect(m.match("code 1234 sid=9123", ctx)).toEqual([]);
    expect(m.match("Setting session 456 as validated", ctx)).toEqual([]);
    expect(m.match("Setting session 456 as validated", { source: "sydent", origin: "is2" })).toEqual(["sid"]);
    expect(m.match("200 123 - -", { source: "haproxy", origin: "haproxy" })).toEqual([]);
    expect(m.match('"GET /x?sid=123 HTTP/1.1"', { source: "haproxy", origin: "haproxy" })).toEqual(["sid"]);
  });
  it("percent-decoding never throws on broken escapes", () => {
    expect(percentDecode("a%40b %ZZ %E2%28 100%")).toBe("a@b %ZZ %E2( 100%");
  });
});
