import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { recordAccess } from "@/lib/audit/log";
import { sealCheckpoint } from "@/lib/audit/checkpoint";
import { publicKeyFileFor } from "@/lib/audit/checkpoint-key";
import { anomalyFlags } from "@/lib/audit/workspace/anomalies";
import { parseWorkingTime } from "@/lib/audit/workspace/working-time";
import { buildEvidencePack, checkEvidencePack, readZip } from "@/lib/audit/workspace/evidence";
import { drawSample, rankOf, sampleRequests, SAMPLE_REPEAT_WINDOW_MS } from "@/lib/audit/workspace/sample";
import { getAccessLogHeadSeq } from "@/lib/audit/queries";
import { getTrailScope, iterateRequestTrail } from "@/lib/audit/workspace/trail";
import { recordEvidence, viewFlags } from "@/lib/audit/workspace/views";
import { zipFiles } from "@/lib/exports/zip";
import { createTestConsoleDb } from "@/lib/test/console-db";

// The auditor's workspace: seeded, recorded samples; trails; anomaly flags; evidence packs.

const dpo = { id: "staff-dpo", label: "dpo@example.org", role: "dpo" };
const auditor = { id: "staff-aud", label: "auditor@example.org", role: "auditor" };
let cleanup: () => Promise<void>;
const ids: string[] = [];
let cutoff: string; // after the 12 requests of beforeAll
const weekday = (h: number) => new Date(Date.UTC(2026, 11, 2, h, 0, 0)); // a Wednesday

beforeAll(async () => {
  ({ cleanup } = await createTestConsoleDb());
  for (let i = 0; i < 12; i++) {
    const r = await db().request.create({ data: {
      reference: `R-TEST-${i}`, type: "access", state: "open", requesterName: "x", requesterContact: "x", identification: "x", channel: "email",
      receivedAt: new Date(), dueAt: new Date(), createdById: dpo.id,
    } });
    ids.push(r.id);
    await recordAccess({ actor: dpo, action: "request.create", outcome: "ok", target: { type: "request", ref: r.id }, requestId: r.id });
    await recordAccess({ actor: dpo, action: "subject.reveal", outcome: "ok", requestId: r.id, purpose: "request", target: { type: "email", value: `p${i}@example.org` }, at: weekday(10) });
  }
  for (let i = 0; i < 22; i++) await recordAccess({ actor: dpo, action: "subject.reveal", outcome: "ok", purpose: "curious", target: { type: "email", value: `q${i}@example.org` }, at: weekday(i < 2 ? 23 : 11) });
  for (let i = 0; i < 5; i++) await recordAccess({ actor: { id: "staff-sup", label: "support@example.org", role: "support" }, action: "authz.denied", outcome: "denied" });
  await sealCheckpoint(dpo);
  cutoff = new Date().toISOString();
});
afterAll(() => cleanup());

describe("auditor's workspace", () => {
  it("a seed and cut-off give the same sample every time, and drawing one is recorded with its cut-off", async () => {
    const { sample: a, seq, repeated } = await sampleRequests(auditor, { seed: "seed-1", n: 4, cutoff });
    expect(repeated).toBe(false);
    expect(a).toMatchObject({ seed: "seed-1", n: 4, cutoff, population: 12 });
    expect(a.requests).toHaveLength(4);
    expect((await drawSample("seed-1", 4, cutoff)).requests).toEqual(a.requests);
    expect((await drawSample("seed-2", 4, cutoff)).requests.map((r) => r.id)).not.toEqual(a.requests.map((r) => r.id));
    const logged = await db().accessLogEntry.findUniqueOrThrow({ where: { seq } });
    expect(logged).toMatchObject({ action: "audit.sample", actorLabel: auditor.label, outcome: "ok" });
    expect(JSON.parse(logged.details!)).toEqual({ seed: "seed-1", n: 4, cutoff, population: 12, requestIds: a.requests.map((r) => r.id) });
  });

  it("the same person drawing the same sample again soon is not recorded twice; another person, cut-off or a later draw is", async () => {
    const count = () => db().accessLogEntry.count({ where: { action: "audit.sample" } });
    const first = await sampleRequests(auditor, { seed: "seed-r", n: 3, cutoff });
    const before = await count();
    const again = await sampleRequests(auditor, { seed: "seed-r", n: 3, cutoff });
    expect(again).toMatchObject({ repeated: true, seq: first.seq });
    expect(again.sample).toEqual(first.sample);
    expect(await count()).toBe(before);

    expect((await sampleRequests(dpo, { seed: "seed-r", n: 3, cutoff })).repeated).toBe(false);
    expect((await sampleRequests(auditor, { seed: "seed-r", n: 4, cutoff })).repeated).toBe(false);
    const otherCutoff = new Date(Date.parse(cutoff) - 1).toISOString();
    expect((await sampleRequests(auditor, { seed: "seed-r", n: 3, cutoff: otherCutoff })).repeated).toBe(false);
    const later = new Date(Date.now() + SAMPLE_REPEAT_WINDOW_MS + 60_000);
    expect((await sampleRequests(auditor, { seed: "seed-r", n: 3, cutoff }, { now: later })).repeated).toBe(false);
    expect(await count()).toBe(before + 4);
  });

  it("a request's trail is every entry naming it, in log order", async () => {
    const scope = (await getTrailScope(ids[3]))!;
    const pages = [];
    for await (const page of iterateRequestTrail(scope, { upToSeq: await getAccessLogHeadSeq() })) pages.push(...page);
    expect(pages.map((e) => [e.action, e.match])).toEqual([["request.create", "request"], ["subject.reveal", "request"]]);
  });

  it("viewing the flags is logged, with what was flagged", async () => {
    const flags = await viewFlags(auditor);
    const e = await db().accessLogEntry.findFirstOrThrow({ where: { action: "audit.flags.view" }, orderBy: { seq: "desc" } });
    expect(e).toMatchObject({ actorLabel: auditor.label, outcome: "ok" });
    expect(JSON.parse(e.details!)).toEqual({ windowDays: 30, flags: flags.length, kinds: [...new Set(flags.map((f) => f.kind))] });
    expect(flags.length).toBeGreaterThan(0);
  });

  it("flags: many subjects in a day, outside hours, no linked request, denied attempts", async () => {
    const flags = await anomalyFlags({ since: new Date(Date.UTC(2026, 11, 1)), now: new Date(), workingTime: parseWorkingTime({}) });
    const kinds = flags.map((f) => f.kind);
    expect(kinds).toEqual(expect.arrayContaining(["many-subjects", "outside-hours", "no-request", "denied-attempts"]));
    expect(flags.find((f) => f.kind === "many-subjects")?.summary).toBe("dpo@example.org revealed 34 different people in 34 reveals on 2026-12-02 (UTC); the threshold is more than 20 people in a day");
    expect(flags.find((f) => f.kind === "outside-hours")?.seqs).toHaveLength(2);
    expect(flags.find((f) => f.kind === "no-request")?.summary).toMatch(/^22 reveal/);
    expect(flags.find((f) => f.kind === "denied-attempts")?.summary).toMatch(/^support@example.org: 5 denied attempts from 2026-12-01T00:00Z to .* \(threshold 5\)$/);
    expect(kinds).not.toContain("checkpoint-overdue");
  });

  it("an evidence pack checks offline against the pinned key; any change to it is named", async () => {
    const pack = await buildEvidencePack({ seed: "seed-1", n: 4, cutoff });
    const pub = fs.readFileSync(publicKeyFileFor(env().checkpointKeyFile), "utf8");
    const r = await checkEvidencePack(pack.zip, pub);
    expect(r).toMatchObject({ ok: true, requests: 4, entries: 8, proofs: { checked: 8, pending: 0 } });

    const files = await readZip(pack.zip);
    const trail = JSON.parse(files.get("trail.json")!.toString());
    trail[0].entries[0].actorLabel = "someone-else@example.org";
    files.set("trail.json", Buffer.from(JSON.stringify(trail)));
    const forged = await zipFiles([...files].map(([name, bytes]) => ({ name, bytes, contentType: "application/json" })), new Date());
    const bad = await checkEvidencePack(forged.zip, pub);
    expect(bad.ok).toBe(false);
    expect(bad.problems).toEqual(expect.arrayContaining(["trail.json: SHA-256 differs from the manifest", `trail entry ${trail[0].entries[0].seq}: fields do not match its hash`]));
  });

  it("requests registered after the cut-off never change its sample; the pack and its log entry hold exactly that sample", async () => {
    const seen = await drawSample("seed-1", 4, cutoff);
    const fourth = rankOf("seed-1", seen.requests[3].id);
    // Register requests after the cut-off until one ranks among the first four: without the
    // cut-off it would knock one of the sample out.
    let displacing: string | null = null;
    for (let i = 0; i < 200 && !displacing; i++) {
      const r = await db().request.create({ data: {
        reference: `R-LATE-${i}`, type: "access", state: "open", requesterName: "x", requesterContact: "x", identification: "x", channel: "email",
        receivedAt: new Date(), dueAt: new Date(), createdById: dpo.id, createdAt: new Date(Date.parse(cutoff) + 1000 + i),
      } });
      if (rankOf("seed-1", r.id) < fourth) displacing = r.id;
    }
    expect(displacing).not.toBeNull();
    const now = new Date(Date.now() + 60_000).toISOString();
    expect((await drawSample("seed-1", 4, now)).requests.map((r) => r.id)).toContain(displacing);

    const same = await drawSample("seed-1", 4, cutoff);
    expect(same).toEqual(seen);
    const pack = await buildEvidencePack({ seed: "seed-1", n: 4, cutoff });
    const files = await readZip(pack.zip);
    expect(JSON.parse(files.get("sample.json")!.toString())).toEqual(seen);
    expect(JSON.parse(files.get("trail.json")!.toString()).map((t: { requestId: string }) => t.requestId)).toEqual(seen.requests.map((r) => r.id));
    await recordEvidence(auditor, pack);
    const e = await db().accessLogEntry.findFirstOrThrow({ where: { action: "audit.evidence" }, orderBy: { seq: "desc" } });
    expect(JSON.parse(e.details!)).toEqual({ seed: "seed-1", n: 4, cutoff, population: 12, requestIds: seen.requests.map((r) => r.id), entries: 8, sha256: pack.sha256 });
  });
});
