import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { sealCheckpoint } from "@/lib/audit/checkpoint";
import { recordAccess } from "@/lib/audit/log";
import { readZip } from "@/lib/audit/workspace/evidence";
import { runCli } from "@/lib/cli/testing";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import { useTestConsoleDb } from "@/lib/test/console-db";
import evidence from "@/lib/cli/commands/audit-evidence";
import sample from "@/lib/cli/commands/audit-sample";

// audit:sample and audit:evidence: the sample is fixed by seed, size and cut-off (printed, and
// accepted back), what is printed is logged first (sample once, each trail, the flags), and the
// pack is exactly the sample named.

useTestConsoleDb();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-sample-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let auditor: Awaited<ReturnType<typeof seedStaff>>;
type Out = { seed: string; n: number; cutoff: string; population: number; recordedAs: number; requests: { id: string; reference: string }[]; flags: unknown[]; trails: { reference: string; entries: { seq: number; action: string; match: string }[] }[] };
const count = (action: string) => db().accessLogEntry.count({ where: { action } });

beforeAll(async () => {
  auditor = await seedStaff("auditor");
  const dpo = await seedStaff("dpo");
  for (let i = 0; i < 6; i++) {
    const r = await seedRequest({ createdById: dpo.id, receivedAt: new Date() });
    await recordAccess({ actor: dpo.actor, action: "request.create", outcome: "ok", target: { type: "request", ref: r.id }, requestId: r.id });
  }
});

describe("audit:sample", () => {
  it("prints the sample with its cut-off, each trail and the flags, after logging each view; the same cut-off gives the same sample later", async () => {
    const before = { sample: await count("audit.sample"), trail: await count("audit.trail.view"), flags: await count("audit.flags.view") };
    const r = await runCli(sample, "--operator", auditor.email, "--seed", "cli-seed", "--n", "3");
    expect(r.code, r.stderr).toBe(0);
    const out = r.json as unknown as Out;
    expect(out).toMatchObject({ seed: "cli-seed", n: 3, population: 6 });
    expect(out.cutoff).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(out.trails.map((t) => t.reference)).toEqual(out.requests.map((q) => q.reference));
    for (const t of out.trails) expect(t.entries.map((e) => [e.action, e.match])).toEqual([["request.create", "request"]]);
    expect(Array.isArray(out.flags)).toBe(true);
    const recorded = await db().accessLogEntry.findUniqueOrThrow({ where: { seq: out.recordedAs } });
    expect(recorded).toMatchObject({ action: "audit.sample", actorId: auditor.id });
    expect(JSON.parse(recorded.details!)).toMatchObject({ seed: "cli-seed", n: 3, cutoff: out.cutoff, requestIds: out.requests.map((q) => q.id) });
    expect(await count("audit.sample")).toBe(before.sample + 1);
    expect(await count("audit.flags.view")).toBe(before.flags + 1);
    const views = await db().accessLogEntry.findMany({ where: { action: "audit.trail.view", actorId: auditor.id }, orderBy: { seq: "asc" } });
    expect(views).toHaveLength(before.trail + 3);
    expect(views.slice(-3).map((v) => v.targetRef)).toEqual(out.requests.map((q) => q.id));
    expect(views.slice(-3).map((v) => JSON.parse(v.details!).entries)).toEqual([1, 1, 1]);

    // Later requests do not enter a sample with the earlier cut-off; repeating it is not a new draw.
    const dpo = await seedStaff("dpo");
    for (let i = 0; i < 20; i++) await seedRequest({ createdById: dpo.id, receivedAt: new Date() });
    const again = await runCli(sample, "--operator", auditor.email, "--seed", "cli-seed", "--n", "3", "--cutoff", out.cutoff);
    expect(again.code, again.stderr).toBe(0);
    const out2 = again.json as unknown as Out;
    expect(out2).toMatchObject({ cutoff: out.cutoff, population: 6, requests: out.requests, recordedAs: out.recordedAs });
    expect(await count("audit.sample")).toBe(before.sample + 1);
    expect(await count("audit.trail.view")).toBe(before.trail + 6);
  });

  it("refuses a bad cut-off, size or seed (exit 2) and logs nothing", async () => {
    const n = await db().accessLogEntry.count();
    const future = new Date(Date.now() + 86_400_000).toISOString();
    for (const [args, message] of [
      [["--cutoff", "yesterday"], /cut-off must be a UTC time/],
      [["--cutoff", future], /cut-off is in the future/],
      [["--n", "0"], /between 1 and 100/],
      [["--seed", "a b"], /seed may hold/],
    ] as const) {
      const r = await runCli(sample, "--operator", auditor.email, ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(await db().accessLogEntry.count()).toBe(n);
  });
});

describe("audit:evidence", () => {
  it("writes the pack of exactly the sample named by seed, size and cut-off, logged with its request ids", async () => {
    const s = (await runCli(sample, "--operator", auditor.email, "--seed", "pack-seed", "--n", "2")).json as unknown as Out;
    await seedRequest({ createdById: auditor.id, receivedAt: new Date() });
    await sealCheckpoint({ id: auditor.id, label: auditor.email, role: "auditor" }); // a pack needs a signed tree head
    const file = path.join(tmp, "pack.zip");
    const r = await runCli(evidence, "--operator", auditor.email, "--seed", "pack-seed", "--n", "2", "--cutoff", s.cutoff, "--out", file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ seed: "pack-seed", n: 2, cutoff: s.cutoff, requests: 2 });
    const inPack = JSON.parse((await readZip(fs.readFileSync(file))).get("sample.json")!.toString());
    expect(inPack).toEqual({ seed: "pack-seed", n: 2, cutoff: s.cutoff, population: s.population, requests: s.requests });
    const logged = await db().accessLogEntry.findFirstOrThrow({ where: { action: "audit.evidence" }, orderBy: { seq: "desc" } });
    expect(JSON.parse(logged.details!)).toMatchObject({ seed: "pack-seed", n: 2, cutoff: s.cutoff, requestIds: s.requests.map((q) => q.id), sha256: r.json.sha256 });
  });
});
