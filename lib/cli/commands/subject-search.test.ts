import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import type { TruthSubject } from "@/lib/subjects/search-truth";
import { copyFixture, FIXTURE_DIR, INSTANCES, tempDir, truth } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

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
  reference = (await seedRequest({ createdById: support.id, receivedAt: new Date() })).reference;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

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
    const log = await entries(support.id);
    expect(log.map((e) => [e.action, e.outcome])).toEqual([["subject.search", "ok"]]);
    expect(log[0].targetPseudonym).toBe(pseudonymFor("msisdn", msisdn));
  });

  it("support may not search by Matrix ID (refused and logged)", async () => {
    const r = cli("--operator", support.email, "--mxid", person.mxid!);
    expect(r.code).toBe(1);
    expect(r.out).not.toContain(person.mxid!);
    expect((await entries(support.id)).at(-1)).toMatchObject({ action: "subject.search", outcome: "denied" });
  });

  it("support cannot reveal without a request; with an open request the reveal is logged against it", async () => {
    const refused = cli("--operator", support.email, "--email", email, "--reveal");
    expect(refused.code).toBe(1);
    expect(refused.out).not.toContain(email);
    expect((await entries(support.id)).slice(-2).map((e) => [e.action, e.outcome])).toEqual([["subject.search", "ok"], ["subject.reveal", "denied"]]);

    const r = cli("--operator", support.email, "--email", email, "--reveal", "--request", reference);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.revealed).toBe(true);
    expect(r.out).toContain(email);
    const req = await db().request.findUnique({ where: { reference } });
    expect((await entries(support.id)).slice(-2).map((e) => [e.action, e.outcome, e.requestId])).toEqual([["subject.search", "ok", null], ["subject.reveal", "ok", req!.id]]);
  });

  it("a DPO reveals for a stated purpose and may reverse-search", async () => {
    const r = cli("--operator", dpo.email, "--mxid", person.mxid!, "--reveal", "--purpose", "other", "--note", "Checking a duplicate account report");
    expect(r.code, r.stderr).toBe(0);
    expect(r.out).toContain(email);
    const last = (await entries(dpo.id)).at(-1)!;
    expect(last).toMatchObject({ action: "subject.reveal", outcome: "ok" });
    expect(last.purpose).toMatch(/^other: /);
  });

  it("bad input: exit 2, specific message, logged as invalid and never as a reveal", async () => {
    const before = (await entries(dpo.id)).length;
    const r = cli("--operator", dpo.email, "--phone", "not a number at all", "--reveal", "--purpose", "other", "--note", "a typo made on purpose");
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

  it("usage errors: no identifier, two identifiers", () => {
    expect(cli("--operator", support.email).code).toBe(2);
    expect(cli("--operator", support.email, "--email", email, "--phone", national).code).toBe(2);
  });
});
