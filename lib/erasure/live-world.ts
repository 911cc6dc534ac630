import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import type { World } from "@/lib/erasure/testing";
import { seedStaff } from "@/lib/requests/testing";
import { registerServer } from "@/lib/servers/register";
import { sydentRaw } from "@/lib/sydent/open";
import { INSTANCES, truth, type Instance } from "@/lib/sydent/test-fixtures";
import type { LiveSydent, LoadResult } from "@/lib/test/sydent-live";

// Support for the live-Sydent erasure suites (`lib/erasure/*.live.test.ts`): the two kit servers
// registered the way an operator would (registerServer with client and internal API URLs, mode
// "live"), Sydent's own HTTP lookups, replication checks and the load driver run beside the work.

export type LiveWorld = World & { admin: Actor; live: LiveSydent };

export async function liveWorld(live: LiveSydent): Promise<LiveWorld> {
  const admin = (await seedStaff("admin")).actor;
  const servers = {} as World["servers"];
  const files = {} as World["files"];
  for (const i of INSTANCES) {
    const inst = live.instance(i);
    const r = await registerServer(admin, { label: i, serverName: truth.instances[i].server_name, dbPath: inst.db, clientApiUrl: inst.client_url, internalApiUrl: inst.internal_url });
    if (!r.ok) throw new Error(`register ${i}: ${r.message} ${JSON.stringify(r.fieldErrors)}`);
    files[i] = inst.db;
    servers[i] = { id: r.serverId, label: i, serverName: truth.instances[i].server_name, dbPath: inst.db };
  }
  const [requester, approver, executor] = [await seedStaff("dpo"), await seedStaff("dpo"), await seedStaff("dpo")];
  return { dir: live.workDir, files, servers, requester: requester.actor, approver: approver.actor, executor: executor.actor, admin, live };
}

/** Runs `work` while the kit's load driver runs in rounds of `seconds` at `rate` req/s; returns both. */
export async function underLoad<T>(live: LiveSydent, work: () => Promise<T>, rate = 12, seconds = 15): Promise<{ result: T; loads: LoadResult[] }> {
  let done = false;
  const loads: LoadResult[] = [];
  const driver = (async () => {
    let seed = 1;
    do loads.push(await live.load(rate, seconds, seed++));
    while (!done);
  })();
  try {
    return { result: await work(), loads };
  } finally {
    done = true;
    await driver;
  }
}

export const loadFailures = (loads: LoadResult[]) => ({
  requests: loads.reduce((n, l) => n + l.requests, 0),
  failures: loads.reduce((n, l) => n + l.failures, 0),
  byKindStatus: loads.map((l) => l.failures_by_kind_status).filter((x) => Object.keys(x).length),
  mismatches: loads.map((l) => l.mismatches).filter((x) => Object.values(x).some((v) => (typeof v === "number" ? v > 0 : Array.isArray(v) ? v.length > 0 : !!v))),
});

/** What Sydent itself answers for a 3PID: v1 lookup and bulk_lookup through its client API. */
export async function sydentAnswers(live: LiveSydent, i: Instance, medium: string, address: string) {
  const base = live.instance(i).client_url;
  const v1url = new URL("/_matrix/identity/api/v1/lookup", base);
  v1url.searchParams.set("medium", medium);
  v1url.searchParams.set("address", address);
  const v1 = await fetch(v1url);
  const v1body = (await v1.json()) as { mxid?: string };
  const bulk = await fetch(new URL("/_matrix/identity/api/v1/bulk_lookup", base), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ threepids: [[medium, address]] }) });
  const bulkBody = (await bulk.json()) as { threepids?: unknown[] };
  return { v1Status: v1.status, v1Mxid: v1body.mxid ?? null, bulkStatus: bulk.status, bulkFound: bulkBody.threepids?.length ?? -1 };
}

/** Highest local tombstone id of these 3PIDs on `i`, and whether every active peer's lastSentVersion passed it. */
export function tombstonesDelivered(file: string, threepids: { medium: string; address: string }[]): { maxId: number; delivered: boolean } {
  const d = sydentRaw(file);
  let maxId = 0;
  for (const t of threepids) {
    const r = d.prepare("SELECT max(id) AS id FROM local_threepid_associations WHERE medium = ? AND address = ? AND mxid IS NULL").get(t.medium, t.address) as { id: number | null };
    maxId = Math.max(maxId, r.id ?? 0);
  }
  const behind = (d.prepare("SELECT count(*) AS n FROM peers WHERE active = 1 AND (lastSentVersion IS NULL OR lastSentVersion < ?)").get(maxId) as { n: number }).n;
  return { maxId, delivered: behind === 0 };
}

export async function waitFor(what: string, fn: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export const jobSteps = (jobId: string) => db().erasureStep.findMany({ where: { jobId }, orderBy: { seq: "asc" } });
