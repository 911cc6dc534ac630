import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import { linkSubject } from "@/lib/subjects/link";
import type { TruthSubject } from "@/lib/subjects/search-truth";
import { copyFixture, FIXTURE_DIR, INSTANCES, tempDir, truth } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { generateTotpSecret, sealTotpSecret, totpCode } from "@/lib/auth/totp";

// The real command line against copies of the fixture: masked JSON by default, the same
// permission rules and access-log entries as the pages.

const ctx = useTestConsoleDb();
const dir = tempDir();
const subjects = (JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, "truth.json"), "utf8")) as { subjects: TruthSubject[] }).subjects;
// A subject with a bound UK mobile number (typed nationally below) and a bound email.
const person = subjects.find((s) => s.threepids.some((t) => t.state === "bound" && t.medium === "msisdn" && t.address.startsWith("44")) && s.threepids.some((t) => t.medium === "email" && t.state === "bound"))!;
const msisdn = person.threepids.find((t) => t.medium === "msisdn")!.address;
const email = person.threepids.find((t) => t.medium === "email")!.address;
const national = `0${msisdn.slice(2, 6)} ${msisdn.slice(6)}`;
let support: Awaited<ReturnType<typeof seedStaff>>;
let dpo: Awaited<ReturnType<typeof seedStaff>>;
let reference: string;

beforeAll(async () => {
  for (const i of INSTANCES) await db().identityServer.create({ data: { label: i, serverName: truth.instances[i].server_name, dbPath: copyFixture(i, dir) } });
  support = await seedStaff("support");
  dpo = await seedStaff("dpo");
  for (const st of [support, dpo]) {
    await db().staff.update({ where: { id: st.id }, data: { totpSecretEnc: sealTotpSecret(secrets.set(st.id, generateTotpSecret()).get(st.id)!), totpEnrolledAt: new Date() } });
  }
  reference = (await seedRequest({ createdById: support.id, receivedAt: new Date() })).reference;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// --reveal needs the operator's current authenticator code (lib/cli/operator.ts). A code works
// once; forgetting the last used step stands in for waiting for the next 30-second code.
const secrets = new Map<string, string>();
async function code(st: { id: string }): Promise<string> {
  await db().staff.update({ where: { id: st.id }, data: { totpLastStep: null } });
  return totpCode(secrets.get(st.id)!);
}

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "lib/cli/index.ts", "subject:search", ...args], {
    encoding: "utf8",
    env: { ...process.env, CONSOLE_DATABASE_URL: ctx.current.url, CUSTODIAN_DATA_DIR: ctx.current.dataDir },
  });
  return { code: r.status, out: r.stdout, json: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

const entries = (actorId: string) => db().accessLogEntry.findMany({ where: { actorId }, orderBy: { seq: "asc" } });

describe("subject:search", () => {
  it("support, phone typed nationally: masked result, one subject.search entry, nothing in clear", async () => {
    const r = cli("--operator", support.email, "--phone", national);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, revealed: false });
    expect(r.json.result.foundAnywhere).toBe(true);
    expect(r.json.result.totals.associations).toBeGreaterThan(0);
    for (const clear of [msisdn, email, person.mxid!]) {
      expect(r.out).not.toContain(clear);
      expect(r.stderr).not.toContain(clear);
    }
    // One search: its entry for the number typed, and one for the Matrix ID found with it.
    const log = await entries(support.id);
    expect(log.map((e) => [e.action, e.outcome, e.targetPseudonym])).toEqual([
      ["subject.search", "ok", pseudonymFor("msisdn", msisdn)], ["subject.search", "ok", pseudonymFor("mxid", person.mxid!)],
    ]);
  });

  it("support may not search by Matrix ID (refused and logged)", async () => {
    const r = cli("--operator", support.email, "--mxid", person.mxid!);
    expect(r.code).toBe(1);
    expect(r.out).not.toContain(person.mxid!);
    expect((await entries(support.id)).at(-1)).toMatchObject({ action: "subject.search", outcome: "denied" });
  });

  it("support cannot reveal without a request; with an open request the reveal is logged against it", async () => {
    const refused = cli("--operator", support.email, "--code", await code(support), "--email", email, "--reveal");
    expect(refused.code).toBe(1);
    expect(refused.out).not.toContain(email);
    expect((await entries(support.id)).slice(-2).map((e) => [e.action, e.outcome])).toEqual([["subject.search", "ok"], ["subject.reveal", "denied"]]);

    // An open request unlocks the reveal only once this person is linked to it (as on the page).
    const req = await db().request.findUnique({ where: { reference } });
    const unlinked = cli("--operator", support.email, "--code", await code(support), "--email", email, "--reveal", "--request", reference);
    expect(unlinked.code).toBe(1);
    expect(unlinked.out).not.toContain(email);
    expect((await entries(support.id)).at(-1)).toMatchObject({ action: "subject.reveal", outcome: "denied", requestId: req!.id });
    expect((await linkSubject({ actor: support.actor, role: support.role }, { kind: "email", value: email, requestId: req!.id })).ok).toBe(true);

    const r = cli("--operator", support.email, "--code", await code(support), "--email", email, "--reveal", "--request", reference);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.revealed).toBe(true);
    expect(r.out).toContain(email);
    // Entries repeated for the person's other identifiers (details.additionalTarget) left aside.
    const events = (await entries(support.id)).filter((e) => !JSON.parse(e.details ?? "{}").additionalTarget);
    expect(events.slice(-2).map((e) => [e.action, e.outcome, e.requestId])).toEqual([["subject.search", "ok", null], ["subject.reveal", "ok", req!.id]]);
  });

  it("a DPO reveals for a stated purpose and may reverse-search", async () => {
    const r = cli("--operator", dpo.email, "--code", await code(dpo), "--mxid", person.mxid!, "--reveal", "--purpose", "other", "--note", "Checking a duplicate account report");
    expect(r.code, r.stderr).toBe(0);
    expect(r.out).toContain(email);
    const last = (await entries(dpo.id)).at(-1)!;
    expect(last).toMatchObject({ action: "subject.reveal", outcome: "ok" });
    expect(last.purpose).toMatch(/^other: /);
  });

  it("bad input: exit 2, specific message, logged as invalid and never as a reveal", async () => {
    const before = (await entries(dpo.id)).length;
    const r = cli("--operator", dpo.email, "--code", await code(dpo), "--phone", "not a number at all", "--reveal", "--purpose", "other", "--note", "a typo made on purpose");
    expect(r.code).toBe(2);
    expect(r.json.errors.value[0]).toMatch(/phone number/i);
    const log = (await entries(dpo.id)).slice(before);
    expect(log.map((e) => [e.action, e.outcome])).toEqual([["subject.search", "invalid"]]);
  });

  it("not found anywhere: exit 0, outcome not_found", async () => {
    const r = cli("--operator", support.email, "--email", "nobody.here@nowhere.example");
    expect(r.code).toBe(0);
    expect(r.json.result.foundAnywhere).toBe(false);
    expect((await entries(support.id)).at(-1)).toMatchObject({ action: "subject.search", outcome: "not_found" });
  });

  it("--country reads a national number in that country; without it the miss names the country assumed and offers others", async () => {
    const fr = subjects.flatMap((s) => s.threepids).find((t) => t.medium === "msisdn" && t.address.startsWith("33"))!.address;
    const typedFr = `0${fr.slice(2, 3)} ${fr.slice(3, 5)} ${fr.slice(5, 7)} ${fr.slice(7, 9)} ${fr.slice(9)}`;
    const found = cli("--operator", support.email, "--phone", typedFr, "--country", "fr");
    expect(found.code, found.stderr).toBe(0);
    expect(found.json.result.foundAnywhere).toBe(true);
    expect(found.json.country).toMatchObject({ code: "FR", callingCode: "33" });
    const missed = cli("--operator", support.email, "--phone", typedFr);
    expect(missed.json.result.foundAnywhere).toBe(false);
    expect(missed.json.countryHint.assumed.code).toBe("GB");
    expect(missed.json.countryHint.alternatives.map((a: { code: string }) => a.code)).toContain("FR");
    expect(missed.out).not.toContain(fr);
    expect(cli("--operator", support.email, "--phone", typedFr, "--country", "ZZ").code).toBe(2);
    expect(cli("--operator", support.email, "--email", email, "--country", "FR").code).toBe(2);
  });

  it("usage errors: no identifier, two identifiers", () => {
    expect(cli("--operator", support.email).code).toBe(2);
    expect(cli("--operator", support.email, "--email", email, "--phone", national).code).toBe(2);
  });
});
