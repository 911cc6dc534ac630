import crypto from "node:crypto";
import Database from "better-sqlite3";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { runErasureJob } from "@/lib/erasure/engine";
import { planErasure } from "@/lib/erasure/plan";
import { advancePhase2 } from "@/lib/erasure/phase2";
import { buildReceipt } from "@/lib/erasure/receipt";
import { fullTruth, queriesOf } from "@/lib/erasure/testing";
import { mergeFindings } from "@/lib/exports/collect";
import { encryptSecret } from "@/lib/keys";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import { searchIdentityServers, type SearchServer } from "@/lib/subjects/search";
import type { SubjectFindings } from "@/lib/subjects/types";
import { closeSydent } from "@/lib/sydent/open";
import { INSTANCES, truth, type Instance } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { LiveSydent } from "@/lib/test/sydent-live";
import { loadFailures, underLoad } from "@/lib/erasure/live-world";

// Issue 8 on two real, replicating Sydent 2.7.0 servers: erasing a person whose invite data
// Sydent leaked into other people's signed associations (sydent.md 2.1; alice in the fixture)
// leaves every one of those people discoverable by v1 and v2 lookup, through Sydent's HTTP API,
// with a fresh association that no longer embeds the erased person.

useTestConsoleDb();
let live: LiveSydent;
const servers = {} as Record<Instance, SearchServer & { dbPath: string }>;
const alice = fullTruth.subjects.find((s) => s.key === "alice")!;
type Embed = { instance: Instance; global_id: number; row_medium: string; row_address: string; row_mxid: string; row_originServer: string };
const embeds = (alice as unknown as { data_inside_other_rows_sgAssoc: Embed[] }).data_inside_other_rows_sgAssoc;
const bystanders = [...new Map(embeds.map((e) => [`${e.row_medium}:${e.row_address}`, { medium: e.row_medium, address: e.row_address, mxid: e.row_mxid }])).values()];
const aliceNeedles = [alice.mxid!, ...alice.threepids.map((t) => t.address)];

beforeAll(async () => {
  live = await LiveSydent.start();
  for (const i of INSTANCES) {
    const dbPath = path.join(live.workDir, `${i}.db`);
    const row = await db().identityServer.create({ data: { label: i, serverName: truth.instances[i].server_name, dbPath, internalApiUrl: live.instance(i).internal_url } });
    servers[i] = { id: row.id, label: i, serverName: row.serverName, dbPath };
  }
});
afterAll(async () => {
  await closeSydent();
  await live?.dispose();
});

async function v1(i: Instance, medium: string, address: string): Promise<Record<string, unknown>> {
  const url = new URL("/_matrix/identity/api/v1/lookup", live.instance(i).client_url);
  url.searchParams.set("medium", medium);
  url.searchParams.set("address", address);
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function v2(i: Instance, items: { medium: string; address: string }[]): Promise<Record<string, string>> {
  const base = `${live.instance(i).client_url}/_matrix/identity/v2`;
  const post = async (p: string, body: unknown, token?: string) => {
    const res = await fetch(`${base}${p}`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const hs = live.state.homeserver_stub.server_name;
  const reg = await post("/account/register", { access_token: `user-bystander-check-${i}`, matrix_server_name: hs, token_type: "Bearer", expires_in: 3600 });
  expect(reg.status, JSON.stringify(reg.json)).toBe(200);
  const token = String(reg.json.token);
  const details = await fetch(`${base}/hash_details`, { headers: { authorization: `Bearer ${token}` } });
  const pepper = String(((await details.json()) as { lookup_pepper: string }).lookup_pepper);
  const hashOf = (t: { medium: string; address: string }) => crypto.createHash("sha256").update(`${t.address} ${t.medium} ${pepper}`).digest("base64url");
  const r = await post("/lookup", { addresses: items.map(hashOf), algorithm: "sha256", pepper }, token);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  const mappings = r.json.mappings as Record<string, string>;
  return Object.fromEntries(items.map((t) => [`${t.medium}:${t.address}`, mappings[hashOf(t)]]));
}

async function expectNoSydentErrors(sinceIso: string) {
  const e = await live.errors(sinceIso);
  expect({ log: e.totals, console: e.console_totals, first: e.instances }).toMatchObject({
    log: { error: 0, traceback: 0, database_is_locked: 0, already_exists: 0 },
    console: { error: 0, traceback: 0, database_is_locked: 0, already_exists: 0 },
  });
}

/** Replication state, for a failure message. */
function diagnose(address: string): string {
  const out: Record<string, unknown> = {};
  for (const i of INSTANCES) {
    const d = new Database(servers[i].dbPath, { readonly: true });
    out[i] = {
      peers: d.prepare("SELECT name, lastSentVersion, active FROM peers").all(),
      maxLocal: d.prepare("SELECT max(id) AS m FROM local_threepid_associations").get(),
      local: d.prepare("SELECT id, mxid FROM local_threepid_associations WHERE address = ?").all(address),
      global: d.prepare("SELECT id, originServer, originId, mxid FROM global_threepid_associations WHERE address = ?").all(address),
    };
    d.close();
  }
  return JSON.stringify(out);
}

async function aliceFindings(): Promise<SubjectFindings> {
  const all: SubjectFindings[] = [];
  for (const q of queriesOf(alice)) {
    const r = await searchIdentityServers(q, { expand: true, servers: INSTANCES.map((i) => servers[i]) });
    all.push({ ...r, query: q, logs: null, searchedAt: new Date().toISOString() });
  }
  return mergeFindings(all);
}

describe("erasing a person embedded in other people's signed associations (live Sydent)", () => {
  it("keeps every bystander bound: fresh associations without the person, found by v1 and v2 lookup on both servers", async () => {
    expect(bystanders.length).toBeGreaterThan(0);
    const f = await aliceFindings();
    const plan = planErasure(f, { servers: INSTANCES.map((i) => servers[i]) });
    const rows = plan.servers.flatMap((s) => s.embedding);
    expect(rows.filter((e) => !e.reissueOnly).length).toBe(embeds.length);
    expect(rows.every((e) => e.action === "rebind")).toBe(true);

    const [requester, approver, executor] = [await seedStaff("dpo"), await seedStaff("dpo"), await seedStaff("dpo")];
    const request = await seedRequest({ createdById: requester.id, receivedAt: new Date(), type: "erasure", state: "in_progress" });
    const job = await db().erasureJob.create({
      data: {
        requestId: request.id, subjectPseudonym: pseudonymFor("mxid", alice.mxid!), subjectMasked: "@a••••:127.0.0.1:8448",
        subjectEnc: encryptSecret(JSON.stringify(f.identifiers), "subject-identifier-v1"), reason: "own_request", state: "approved",
        requestedById: requester.id, approvedById: approver.id, approvedAt: new Date(), planEnc: encryptSecret(JSON.stringify(plan), "subject-identifier-v1"),
      },
    });
    // A re-issue that delivers a bystander's own pending invite makes that Sydent process leak it
    // into every later association: the job then stops and asks for a restart. Restart and resume.
    // Each run goes on while the kit's load driver runs: Sydent logs no error line and the load sees
    // no failure (Custodian writes nothing with SQL here: unbind and bind are Sydent's own). The
    // deliberate restart is outside the load, and errors count from one replication cycle after it.
    let since = new Date().toISOString();
    const loads: Awaited<ReturnType<typeof underLoad>>["loads"] = [];
    const runUnderLoad = async () => {
      const r = await underLoad(live, () => runErasureJob(job.id, executor.actor));
      loads.push(...r.loads);
      return r.result;
    };
    let run = await runUnderLoad();
    for (let n = 0; n < 3 && run.state === "paused"; n++) {
      expect(run.pausedReason).toMatch(/restart/i);
      await expectNoSydentErrors(since);
      await live.restart();
      await new Promise((r) => setTimeout(r, 12_000));
      since = new Date().toISOString();
      await db().erasureJob.update({ where: { id: job.id }, data: { state: "approved", pausedReason: null } });
      run = await runUnderLoad();
    }
    expect(["phase2_pending", "completed"], run.pausedReason ?? "").toContain(run.state);
    await expectNoSydentErrors(since);
    expect(loadFailures(loads)).toMatchObject({ failures: 0, byKindStatus: [], mismatches: [] });
    // No row on either server still embeds the person (Sydent's unbind and tombstone took them).
    for (const i of INSTANCES) {
      const d = new Database(servers[i].dbPath, { readonly: true });
      try {
        const embedding = (d.prepare("SELECT sgAssoc FROM global_threepid_associations").all() as { sgAssoc: string }[]).filter((r) => aliceNeedles.some((x) => r.sgAssoc.includes(x)));
        expect(embedding.length, `${i}: rows embedding alice`).toBe(0);
      } finally {
        d.close();
      }
    }

    // The person is gone from lookups on both servers.
    for (const i of INSTANCES) for (const t of alice.threepids) expect(await v1(i, t.medium, t.address)).toEqual({});

    // Every bystander: v1 answers with their Matrix ID and a signed association that no longer
    // embeds the person (replication reaches the peer within a push or two).
    for (const i of INSTANCES) {
      const deadline = Date.now() + 90_000;
      for (const b of bystanders) {
        let got = await v1(i, b.medium, b.address);
        while ((got.mxid !== b.mxid || aliceNeedles.some((x) => JSON.stringify(got).includes(x))) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 2_000));
          got = await v1(i, b.medium, b.address);
        }
        expect(got.mxid, `${i} ${b.address}: ${diagnose(b.address)}`).toBe(b.mxid);
        for (const x of aliceNeedles) expect(JSON.stringify(got), `${i} ${b.address}`).not.toContain(x);
      }
      const mapped = await v2(i, bystanders);
      for (const b of bystanders) expect(mapped[`${b.medium}:${b.address}`], `v2 ${i} ${b.address}`).toBe(b.mxid);
    }

    // Phase 2 tracks each re-issued association until every active peer has it (delivered by now).
    const p2 = await advancePhase2(job.id, executor.actor);
    expect(p2.pending.filter((x) => x.kind === "bystander")).toEqual([]);

    // Under THEIR pseudonym in the access log, and on the receipt.
    const logged = await db().accessLogEntry.findMany({ where: { requestId: request.id, action: "erasure.bystander" } });
    for (const b of bystanders) expect(logged.map((e) => e.targetPseudonym)).toContain(pseudonymFor(b.medium as "email", b.address));
    const receipt = await buildReceipt(job.id);
    expect(receipt.bystanders).toHaveLength(rows.length);
    expect(receipt.bystanders!.every((l) => l.done && l.action.startsWith("kept bound"))).toBe(true);
    expect(JSON.stringify(receipt)).not.toContain(bystanders[0].address);
  });
});
