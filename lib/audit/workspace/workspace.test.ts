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
import { drawSample, requestTrail, sampleRequests } from "@/lib/audit/workspace/sample";
import { zipFiles } from "@/lib/exports/zip";
import { createTestConsoleDb } from "@/lib/test/console-db";

// The auditor's workspace: seeded, recorded samples; trails; anomaly flags; evidence packs.

const dpo = { id: "staff-dpo", label: "dpo@example.org", role: "dpo" };
const auditor = { id: "staff-aud", label: "auditor@example.org", role: "auditor" };
let cleanup: () => Promise<void>;
const ids: string[] = [];
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
});
afterAll(() => cleanup());

describe("auditor's workspace", () => {
  it("a seed gives the same sample every time, and drawing one is recorded", async () => {
    const a = await sampleRequests(auditor, "seed-1", 4);
    expect(a.population).toBe(12);
    expect(a.requests).toHaveLength(4);
    expect((await drawSample("seed-1", 4)).requests).toEqual(a.requests);
    expect((await drawSample("seed-2", 4)).requests.map((r) => r.id)).not.toEqual(a.requests.map((r) => r.id));
    const logged = await db().accessLogEntry.findFirstOrThrow({ where: { action: "audit.sample" }, orderBy: { seq: "desc" } });
    expect(JSON.parse(logged.details!)).toEqual({ seed: "seed-1", n: 4, population: 12, requestIds: a.requests.map((r) => r.id) });
  });

  it("a request's trail is every entry naming it, in log order", async () => {
    const t = await requestTrail(ids[3]);
    expect(t.map((e) => e.action)).toEqual(["request.create", "subject.reveal"]);
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
    const pack = await buildEvidencePack("seed-1", 4);
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
});
