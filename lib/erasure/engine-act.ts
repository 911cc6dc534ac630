import * as ops from "@/lib/erasure/ops";
import { awaitReplicatedDelete, expiryOf, REPLICATION_WAIT_MS, unbindEmbeddingViaApi, unbindViaApi, type ApiOptions, type LiveServer } from "@/lib/erasure/ops-api";
import type { OpOptions } from "@/lib/erasure/ops-db";
import type { StepKind } from "@/lib/erasure/plan";
import { scrubLogs } from "@/lib/erasure/phase2-scrub";
import type { SubjectIds, VerifyResult } from "@/lib/erasure/verify";
import { verifyStep, type PrecomputedVerify } from "@/lib/erasure/verify-step";
import type { WritePath } from "@/lib/erasure/write-path";

// One step's action (engine.ts runSteps decides the path first, write-path.ts). API:
//   actStep(kind, server, path, target, ids, o) -> result (row counts, no personal data)
//   newMeter() / Meter: lock waits and retries met by the step, stored on ErasureStep and shown.
// Paths: "direct" = the SQL ops (ops.ts) on a server proven stopped; "api" = Sydent's internal
// API; "replication" = wait for the origin's tombstone; "read" = verification, log scrub.
// Verification on a live server polls (reads only) until replicated deletes have arrived, up to
// replicationWaitMs; stores handled by maintenance steps still waiting are reported as `deferred`
// and do not fail it (a verification after those steps checks them).

export type Meter = { lockWaits: number; lockWaitMs: number; retries: number };
export const newMeter = (): Meter => ({ lockWaits: 0, lockWaitMs: 0, retries: 0 });

export const MAINTENANCE_STORES = ["threepid_validation_sessions", "threepid_token_auths", "invite_tokens", "accounts", "accepted_terms_urls", "tokens"];

export type ActServer = LiveServer & { id: string; sydentMode: string; clientApiUrl?: string | null; sydentTokenEnc?: string | null };
export type ActOptions = {
  op: OpOptions; api: ApiOptions; nowMs: number; deferMaintenance: boolean; meter: Meter;
  /** The job, and verification results computed ahead for a bulk page (verify-step.ts). */
  jobId?: string; precomputed?: PrecomputedVerify;
};

type T3 = ops.ThreepidTarget;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function judge(v: VerifyResult, defer: boolean): VerifyResult & { deferred?: Record<string, number> } {
  if (!defer) return v;
  const leftovers: Record<string, number> = {};
  const deferred: Record<string, number> = {};
  for (const [k, n] of Object.entries(v.leftovers)) (MAINTENANCE_STORES.includes(k) ? deferred : leftovers)[k] = n;
  const l = v.lookups;
  // Sydent's own answers (verify-sydent.ts) must pass too: a 500 is a failure, not a pass.
  const ok = l.v1Found + l.bulkFound + l.v2Found + l.storeInviteInUse === 0 && Object.keys(leftovers).length === 0 && (v.sydent?.ok ?? true);
  return { ...v, ok, leftovers, deferred };
}

async function verifyLive(server: ActServer, ids: SubjectIds, o: ActOptions) {
  const expired = server.sydentMode === "live" ? expiryOf(o.api.replicationWaitMs, REPLICATION_WAIT_MS) : () => true;
  // A result computed ahead for the bulk page is used first; polling again reads afresh.
  let precomputed = o.precomputed;
  for (;;) {
    // Sydent's own answers are asked only while it serves: a server declared (and proven) stopped
    // for a maintenance window cannot answer, and its file is checked directly.
    const asked = server.sydentMode === "stopped" ? { ...server, clientApiUrl: null } : server;
    const v = judge(await verifyStep(asked, ids, { nowMs: o.nowMs, jobId: o.jobId, precomputed }), o.deferMaintenance);
    if (v.ok || expired()) return v;
    // A row still bound at its origin after the unbinds: no push will remove it; stop polling.
    const hopeless = server.sydentMode === "live" ? await o.api.hopeless?.() : null;
    if (hopeless) return { ...v, stoppedWaiting: hopeless };
    precomputed = undefined;
    await sleep(1000);
  }
}

export async function actStep(kind: StepKind, server: ActServer, path: WritePath, t: Record<string, unknown>, ids: SubjectIds, o: ActOptions): Promise<Record<string, unknown>> {
  const op: OpOptions = {
    ...o.op,
    nowMs: o.nowMs,
    onRetry: (info) => {
      o.meter.lockWaits++;
      if (info.retried) o.meter.retries++;
      o.meter.lockWaitMs += info.waitedMs;
      o.op.onRetry?.(info);
    },
  };
  const api: ApiOptions = { ...o.api, prior: o.op.prior, onLocated: o.op.onLocated, onRetry: (info) => { o.meter.retries++; o.api.onRetry?.(info); } };
  const file = server.dbPath;
  if (path.path === "api") {
    if (kind === "tombstoneAndDeleteGlobal") return unbindViaApi(server, t as unknown as T3, api);
    if (kind === "deleteEmbeddingRows") return unbindEmbeddingViaApi(server, (t as { rows: ops.EmbeddingRow[] }).rows, api);
  }
  if (path.path === "replication") return awaitReplicatedDelete(server, t as unknown as T3, api);
  if (path.path === "read") {
    if (kind === "verify") return verifyLive(server, ids, o);
    return scrubLogs(t as { files: string[] }, ids);
  }
  if (path.path !== "direct") throw new Error(`step ${kind} cannot act on path ${path.path}`);
  const proof = { via: "direct-sql", proofStopped: path.evidence };
  switch (kind) {
    case "tombstoneAndDeleteGlobal": return { ...(await ops.tombstoneAndDeleteGlobal(file, t as unknown as T3, op)), ...proof };
    case "deleteGlobal": return { ...(await ops.deleteGlobal(file, t as unknown as T3, op)), ...proof };
    case "deleteEmbeddingRows": return { ...(await ops.deleteEmbeddingRows(file, t as unknown as Parameters<typeof ops.deleteEmbeddingRows>[1], op)), ...proof };
    case "deleteSessions": return { ...(await ops.deleteSessions(file, t as unknown as Parameters<typeof ops.deleteSessions>[1], op)), ...proof };
    case "deleteInvitesTo": return { ...(await ops.deleteInvitesTo(file, t as unknown as T3, op)), ...proof };
    case "deleteInvitesFrom": return { ...(await ops.deleteInvitesFrom(file, t as { mxid: string }, op)), ...proof };
    case "deleteAccount": return { ...(await ops.deleteAccount(file, t as { mxid: string }, op)), ...proof };
    case "pruneTombstone": return { ...(await ops.pruneTombstone(file, t as unknown as Parameters<typeof ops.pruneTombstone>[1], op)), ...proof };
    default: throw new Error(`step ${kind} has no direct write`);
  }
}
