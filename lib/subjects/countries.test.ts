import fs from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { parseEnv } from "@/lib/env";
import { seedStaff } from "@/lib/requests/testing";
import { countryHint, callingCodesHeld } from "@/lib/subjects/countries";
import { parsePhone } from "@/lib/subjects/parse";
import { runSubjectSearch } from "@/lib/subjects/reveal";
import { closeSydent } from "@/lib/sydent/open";
import { copyFixture, INSTANCES, tempDir, truth } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Issue 8: national phone numbers of other countries than the default. The fixture holds only
// UK numbers, so each case binds one number of its country into a copy of is1 (the rows Sydent
// writes on a bind: a local row and a global row), then searches as a support operator would.

useTestConsoleDb();
const dir = tempDir();

const CASES = [
  { country: "SE", typed: "070-174 06 05", e164: "46701740605", name: "Sweden" },
  { country: "US", typed: "(202) 555-0177", e164: "12025550177", name: "United States" },
  { country: "DE", typed: "030 901820", e164: "4930901820", name: "Germany" },
  { country: "FR", typed: "01 23 45 67 89", e164: "33123456789", name: "France" },
  { country: "IN", typed: "098765 43210", e164: "919876543210", name: "India" },
] as const;

function bind(file: string, server: string, address: string, mxid: string, n: number) {
  const d = new Database(file);
  const ts = Date.parse("2026-11-27T14:00:00Z");
  const local = d.prepare("INSERT INTO local_threepid_associations (medium, address, mxid, ts, notBefore, notAfter) VALUES ('msisdn', ?, ?, ?, ?, ?)").run(address, mxid, ts, ts, ts + 3_153_600_000_000);
  d.prepare("INSERT INTO global_threepid_associations (medium, address, mxid, ts, notBefore, notAfter, originServer, originId, sgAssoc) VALUES ('msisdn', ?, ?, ?, ?, ?, ?, ?, ?)")
    .run(address, mxid, ts, ts, ts + 3_153_600_000_000, server, Number(local.lastInsertRowid), JSON.stringify({ medium: "msisdn", address, mxid, n }));
  d.close();
}

beforeAll(async () => {
  for (const i of INSTANCES) {
    const file = copyFixture(i, dir);
    if (i === "is1") CASES.forEach((c, n) => bind(file, truth.instances.is1.server_name, c.e164, `@intl${n}:example.org`, n));
    await db().identityServer.create({ data: { label: i, serverName: truth.instances[i].server_name, dbPath: file } });
  }
});
afterAll(async () => {
  await closeSydent();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function support() {
  const s = await seedStaff("support");
  return { actor: s.actor, role: s.role };
}

describe("national numbers of five countries", () => {
  it.each(CASES)("$name: $typed read in $country is the number Sydent stores", ({ country, typed, e164 }) => {
    expect(parsePhone(typed, { defaultCountry: country })).toEqual({ ok: true, query: { kind: "msisdn", address: e164 } });
    // Typed internationally, with + or 00, no country is needed (and a wrong one changes nothing).
    const intl = `+${e164}`;
    expect(parsePhone(intl, { defaultCountry: "GB" })).toEqual({ ok: true, query: { kind: "msisdn", address: e164 } });
    expect(parsePhone(`00${e164}`, { defaultCountry: "US" })).toEqual({ ok: true, query: { kind: "msisdn", address: e164 } });
  });

  it.each(CASES)("$name: found when the form names $country", async ({ country, typed }) => {
    const r = await runSubjectSearch(await support(), { kind: "phone", value: typed, country });
    expect(r.ok).toBe(true);
    expect(r.view?.foundAnywhere).toBe(true);
    expect(r.country?.code).toBe(country);
    expect(r.countryHint).toBeUndefined();
  });

  it.each(CASES)("$name: read as GB finds nothing, says GB was assumed and offers $country one click away", async ({ country, typed, e164 }) => {
    const r = await runSubjectSearch(await support(), { kind: "phone", value: typed });
    expect(r.ok).toBe(true);
    expect(r.view?.foundAnywhere).toBe(false);
    expect(r.countryHint?.assumed).toMatchObject({ code: "GB", callingCode: "44" });
    const codes = r.countryHint!.alternatives.map((a) => a.code);
    expect(codes).toContain(country);
    // Only countries whose numbers the servers hold: the fixture's (UK, French, Australian) plus the five bound here.
    const held = new Set(["44", "33", "61", "46", "1", "49", "91"]);
    for (const a of r.countryHint!.alternatives) expect(held.has(a.callingCode)).toBe(true);
    expect(r.message).toContain("United Kingdom");
    expect(r.message).not.toContain(e164);
    expect(r.message).not.toContain(typed);
  });

  it("a number typed with + finds it without a country, and an unknown country is a field error", async () => {
    const op = await support();
    const r = await runSubjectSearch(op, { kind: "phone", value: "+46 70 174 06 05", country: "GB" });
    expect(r.view?.foundAnywhere).toBe(true);
    const bad = await runSubjectSearch(op, { kind: "phone", value: "070-174 06 05", country: "XX" });
    expect(bad.ok).toBe(false);
    expect(bad.errors?.country?.[0]).toMatch(/no phone numbering plan/);
  });
});

describe("country hints and configuration", () => {
  it("countries whose calling code the servers do not hold are never offered", () => {
    const hint = countryHint("070-174 06 05", "GB", callingCodesHeld(["447", "467"]));
    expect(hint?.alternatives.map((a) => a.code)).toEqual(["SE"]);
    expect(countryHint("+46701740605", "GB", callingCodesHeld(["467"]))).toBeNull();
  });

  it("CUSTODIAN_DEFAULT_COUNTRY is validated and upper-cased", () => {
    const base = { NEXTAUTH_SECRET: "x".repeat(32), CUSTODIAN_MASTER_KEY: "0".repeat(64) } as unknown as NodeJS.ProcessEnv;
    expect(parseEnv(base).CUSTODIAN_DEFAULT_COUNTRY).toBe("GB");
    expect(parseEnv({ ...base, CUSTODIAN_DEFAULT_COUNTRY: "se" }).CUSTODIAN_DEFAULT_COUNTRY).toBe("SE");
    expect(() => parseEnv({ ...base, CUSTODIAN_DEFAULT_COUNTRY: "XX" })).toThrow(/CUSTODIAN_DEFAULT_COUNTRY/);
  });
});
