import { describe, expect, it } from "vitest";
import { parseSubjectInput } from "@/lib/subjects/parse";
import { lookupHash } from "@/lib/sydent/lookup-hash";
import { casefold } from "@/lib/sydent/normalise";
import { truth } from "@/lib/sydent/test-fixtures";

const ok = (kind: Parameters<typeof parseSubjectInput>[0], raw: string, opts?: { defaultCountry?: string }) => {
  const r = parseSubjectInput(kind, raw, opts);
  if (!r.ok) throw new Error(`${raw}: ${r.message}`);
  return r.query;
};
const bad = (kind: Parameters<typeof parseSubjectInput>[0], raw: string) => {
  const r = parseSubjectInput(kind, raw);
  if (r.ok) throw new Error(`${raw} was accepted`);
  expect(r.message).not.toContain(raw.trim() || "\u0000");
  return r;
};

describe("phone numbers", () => {
  it.each([
    ["07700 900123", "447700900123"],
    ["07700-900-123", "447700900123"],
    ["+44 7700 900123", "447700900123"],
    ["0044 7700 900123", "447700900123"],
    ["(07700) 900 123", "447700900123"],
    ["447700900123", "447700900123"],
    ["+33 6 39 98 00 12", "33639980012"],
    ["61491570156", "61491570156"],
  ])("%s -> %s", (raw, want) => {
    expect(ok("phone", raw)).toEqual({ kind: "msisdn", address: want });
  });

  it("uses the configured default country for national forms", () => {
    expect(ok("phone", "06 39 98 00 12", { defaultCountry: "FR" })).toEqual({ kind: "msisdn", address: "33639980012" });
  });

  it.each(["garbage", "12", "+999 123", "0770090012345678", "07700 9OO123", ""])("refuses %j with a specific message under the phone field", (raw) => {
    const r = bad("phone", raw);
    expect(r.field).toBe("phone");
    expect(r.message).toMatch(/phone number/i);
  });
});

describe("emails", () => {
  it("casefolds exactly as Sydent (non-ASCII included)", () => {
    for (const raw of ["Alice.Smith@Example.org", "Émile.Dubois@Example.org", "Straße@Example.DE"]) {
      expect(ok("email", raw)).toEqual({ kind: "email", address: casefold(raw) });
    }
    expect(ok("email", "Straße@Example.DE")).toEqual({ kind: "email", address: "strasse@example.de" });
  });

  it.each(["alice", "alice@", "@example.org", "a b@example.org", "a@b@example.org", "alice@exa mple.org", "alice@.example.org", "alice@example..org"])(
    "refuses %j",
    (raw) => {
      const r = bad("email", raw);
      expect(r).toMatchObject({ field: "email" });
      expect(r.message).toMatch(/email/i);
    },
  );
});

describe("Matrix IDs", () => {
  it.each(["@alice.smith:127.0.0.1:8448", "@bob:example.org", "@a_b=c-d/e+f:matrix.example.org:443", "@x:[::1]:8448", "@Legacy!Name:example.org"])("accepts %s as typed", (raw) => {
    expect(ok("mxid", raw)).toEqual({ kind: "mxid", mxid: raw });
  });

  it.each([
    ["alice:example.org", /start with @/],
    ["@alice", /:server/],
    ["@:example.org", /empty/],
    ["@al ice:example.org", /printable ASCII/],
    ["@élise:example.org", /printable ASCII/],
    ["@alice:", /missing/],
    ["@alice:exa_mple.org", /server name/],
    ["@alice:example.org:99999", /port/],
    ["@alice:example.org:80a", /port/],
    ["@alice:[zz::1]", /IPv6/],
    [`@${"a".repeat(250)}:example.org`, /255/],
  ])("refuses %j", (raw, why) => {
    const r = bad("mxid", raw);
    expect(r.field).toBe("mxid");
    expect(r.message).toMatch(why);
  });
});

describe("lookup hashes", () => {
  it("accepts Sydent's hashes (from the fixture's peppers)", () => {
    const h = lookupHash("email", "alice.smith@example.org", truth.instances.is1.pepper);
    expect(ok("hash", h)).toEqual({ kind: "lookup_hash", hash: h });
    expect(ok("hash", "YJVjZS3xZBGwi0e8RpnvifLAPMuZiyS3rhjTBXsptmI")).toMatchObject({ kind: "lookup_hash" });
  });

  it.each([
    ["YJVjZS3xZBGwi0e8RpnvifLAPMuZiyS3rhjTBXsptm", /43/],
    ["YJVjZS3xZBGwi0e8RpnvifLAPMuZiyS3rhjTBXsptmII", /43/],
    ["YJVjZS3xZBGwi0e8RpnvifLAPMuZiyS3rhjTBXsptmI=", /base64/],
    ["YJVjZS3xZBGwi0e8Rpnvif+APMuZiyS3rhjTBXsptmI", /base64/],
    ["YJVjZS3xZBGwi0e8RpnvifLAPMuZiyS3rhjTBXsptmJ", /last character/],
  ])("refuses %j", (raw, why) => {
    const r = bad("hash", raw);
    expect(r.field).toBe("hash");
    expect(r.message).toMatch(why);
  });
});

describe("auto", () => {
  it("guesses the kind and reports under the query field", () => {
    expect(ok("auto", "@bob:example.org")).toMatchObject({ kind: "mxid" });
    expect(ok("auto", "Bob@Example.org")).toEqual({ kind: "email", address: "bob@example.org" });
    expect(ok("auto", "07700 900123")).toEqual({ kind: "msisdn", address: "447700900123" });
    expect(ok("auto", "YJVjZS3xZBGwi0e8RpnvifLAPMuZiyS3rhjTBXsptmI")).toMatchObject({ kind: "lookup_hash" });
    expect(bad("auto", "not a thing")).toMatchObject({ field: "query" });
  });
});
