import { internalUnbind, SydentApiError } from "@/lib/sydent/internal-api";
import { sydentRaw } from "@/lib/sydent/open";
import { globalIdsFor, spellingsOf } from "@/lib/erasure/ops-core";
import { placeholders } from "@/lib/subjects/search-scan";
import type { EmbeddingRow, ThreepidTarget } from "@/lib/erasure/ops";
import type { Snapshot } from "@/lib/erasure/ops-db";

// Phase-1 writes on a LIVE Sydent (IdentityServer.sydentMode = "live"): through Sydent's internal
// API on its own connection, never SQL. Custodian only reads here (single autocommit statements on
// its read-only connection) to find the bound Matrix ID and to count what changed. API:
//   unbindViaApi(server, target, o)          origin server: Sydent's own unbind per bound spelling
//   unbindEmbeddingViaApi(server, rows, o)   other people's rows that originated on this server
//   awaitReplicatedDelete(server, target, o) peer copies: wait (reads) until the origin's tombstone arrives
// Idempotent: a spelling whose local row is already a tombstone (an earlier, interrupted attempt,
// or Sydent answered after our timeout) is not unbound again and is counted under `already`.
// SydentApiError (unreachable, timeout, HTTP error) is retried `apiRetries` times (counted through
// onRetry), then thrown: the engine pauses the job with Sydent's answer.

export type LiveServer = { label: string; dbPath: string; internalApiUrl: string | null; serverName: string };
export type ApiOptions = {
  apiRetries?: number;
  apiTimeoutMs?: number;
  backoffMs?: number;
  /** How long to wait for a replicated delete (default 45 s; Sydent pushes every 10 s), or a shared budget. */
  replicationWaitMs?: WaitBudget;
  prior?: Snapshot;
  onLocated?: (s: Snapshot) => Promise<void> | void;
  onRetry?: (info: { kind: "api"; waitedMs: number; error: string }) => void;
  /**
   * Why no wait can help now, or null: the subject's 3PID is still bound to the subject on a
   * registered origin after phase 1's unbinds were issued (stillBoundAtOrigin), so no tombstone
   * is on its way to the peers. Waits and verification polling stop at once instead of spending
   * the replication budget; the job's verification then names what is left and the job pauses.
   */
  hopeless?: () => Promise<string | null>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The default wait for a replicated delete: a few of Sydent's 10 s push cycles. */
export const REPLICATION_WAIT_MS = 45_000;
/**
 * The wait for `rows` rows to reach a peer: Sydent pushes at most 100 rows per peer every 10 s
 * (sydent.md 2.3), so a backlog adds one cycle per 100 rows to the default wait.
 */
export const replicationWaitFor = (rows: number) => REPLICATION_WAIT_MS + 10_000 * Math.ceil(rows / 100);

/**
 * A wait for replication: a fixed number of milliseconds from when the wait starts, or a function
 * answering the milliseconds left of a budget shared by many waits (ReplicationBudget).
 */
export type WaitBudget = number | (() => number);

/** "Has the wait run out?" for a wait starting now; `fallback` ms when no budget is given. */
export function expiryOf(b: WaitBudget | undefined, fallback: number): () => boolean {
  if (typeof b === "function") return () => b() <= 0;
  const deadline = Date.now() + (b ?? fallback);
  return () => Date.now() >= deadline;
}

/**
 * The replication budget of a bulk page: it runs out only when replication has STOPPED, not when a
 * large backlog is merely slow. It starts with `initialMs` (the expected time for the page's rows,
 * replicationWaitFor) and, whenever `progress()` changes (the sum of the peers' lastSentVersion on
 * the page's servers: a push was accepted somewhere), extends to at least `stallMs` from then. So a
 * page whose re-issues and tombstones queue behind Sydent's 100-rows-per-10-s push keeps waiting
 * while the peers keep receiving, and a peer that stops receiving still stops the page after
 * `stallMs` without progress. progress() is read at most once a second (a tiny `peers` read).
 * Never beyond `maxMs` from the start: Sydent's own binds keep the peers' versions moving, so
 * progress alone would keep a wait that fails for another reason (a lookup still answering) alive.
 */
export class ReplicationBudget {
  private deadline: number;
  private readonly end: number;
  private last: number | null = null;
  private readAt = 0;
  constructor(initialMs: number, private readonly progress: () => number, o: { stallMs?: number; maxMs?: number } = {}) {
    const now = Date.now();
    this.stallMs = o.stallMs ?? REPLICATION_WAIT_MS;
    this.deadline = now + initialMs;
    this.end = now + Math.max(initialMs, o.maxMs ?? 3 * initialMs);
  }
  private readonly stallMs: number;
  /** Milliseconds left (0 when run out). */
  remainingMs = (): number => {
    const now = Date.now();
    if (now - this.readAt >= 1000) {
      this.readAt = now;
      let p: number | null = null;
      try {
        p = this.progress();
      } catch {
        p = null; // a database that cannot be read shows no progress
      }
      if (p !== null && this.last !== null && p !== this.last) this.deadline = Math.min(this.end, Math.max(this.deadline, now + this.stallMs));
      if (p !== null) this.last = p;
    }
    return Math.max(0, this.deadline - now);
  };
}

async function callWithRetry(server: LiveServer, fn: () => Promise<void>, o: ApiOptions): Promise<void> {
  const retries = o.apiRetries ?? 2;
  let wait = o.backoffMs ?? 500;
  for (let attempt = 0; ; attempt++) {
    const t0 = Date.now();
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof SydentApiError)) throw e;
      // A 4xx is Sydent refusing the request itself: retrying cannot help.
      const retriable = e.kind !== "http" || (e.status ?? 500) >= 500;
      if (!retriable || attempt >= retries) throw e;
      await sleep(wait);
      o.onRetry?.({ kind: "api", waitedMs: Date.now() - t0 + wait, error: e.kind });
      wait *= 2;
    }
  }
}

type LocalRow = { id: number; address: string; mxid: string | null };

function localRows(file: string, t: ThreepidTarget): LocalRow[] {
  const sp = spellingsOf(t);
  return sydentRaw(file).prepare(`SELECT id, address, mxid FROM local_threepid_associations WHERE medium = ? AND address IN (${placeholders(sp.length)})`).all(t.medium, ...sp) as LocalRow[];
}

const need = (server: LiveServer) => {
  if (!server.internalApiUrl) throw new SydentApiError("unreachable", `${server.label} has no internal API URL registered`);
  return server.internalApiUrl;
};

export async function unbindViaApi(server: LiveServer, t: ThreepidTarget, o: ApiOptions = {}) {
  const url = need(server);
  const before = localRows(server.dbPath, t);
  const bound = before.filter((r) => r.mxid !== null);
  const globalBefore = globalIdsFor(sydentRaw(server.dbPath), t).length;
  const located: Snapshot = { unbind: bound.map((r) => r.id) };
  await o.onLocated?.({ ...(o.prior ?? {}), unbind: [...new Set([...(o.prior?.unbind ?? []), ...located.unbind])] });
  let tombstonesWritten = 0;
  for (const r of bound) {
    await callWithRetry(server, () => internalUnbind(url, { medium: t.medium, address: r.address, mxid: r.mxid! }, o.apiTimeoutMs), o);
    tombstonesWritten++;
  }
  const globalAfter = globalIdsFor(sydentRaw(server.dbPath), t).length;
  const now = new Set(bound.map((r) => r.id));
  const already = (o.prior?.unbind ?? []).filter((id) => !now.has(id)).length;
  return { tombstonesWritten, globalDeleted: Math.max(0, globalBefore - globalAfter), globalRemaining: globalAfter, via: "internal-api", already: { tombstonesWritten: already } };
}

export async function unbindEmbeddingViaApi(server: LiveServer, rows: EmbeddingRow[], o: ApiOptions = {}) {
  const own = rows.filter((r) => r.originServer === server.serverName);
  const present = sydentRaw(server.dbPath).prepare("SELECT id FROM global_threepid_associations WHERE id = ?");
  const before = rows.filter((r) => present.get(r.globalId)).length;
  let tombstonesWritten = 0;
  for (const r of own) {
    const local = localRows(server.dbPath, { medium: r.medium, address: r.address });
    const row = local.find((x) => x.address === r.address && x.mxid === r.mxid);
    if (!row) continue;
    const url = need(server);
    await callWithRetry(server, () => internalUnbind(url, { medium: r.medium, address: r.address, mxid: r.mxid }, o.apiTimeoutMs), o);
    tombstonesWritten++;
  }
  const after = rows.filter((r) => present.get(r.globalId)).length;
  // Rows that originated on a peer go when that peer's own unbind reaches this server (verify waits).
  return { tombstonesWritten, globalDeleted: before - after, leftToOrigin: after, via: "internal-api" };
}

export async function awaitReplicatedDelete(server: LiveServer, t: ThreepidTarget, o: ApiOptions = {}) {
  const expired = expiryOf(o.replicationWaitMs, REPLICATION_WAIT_MS);
  const first = globalIdsFor(sydentRaw(server.dbPath), t).length;
  let left = first;
  let stopped: string | null = null;
  while (left > 0 && !expired()) {
    if ((stopped = (await o.hopeless?.()) ?? null)) break;
    await sleep(1000);
    left = globalIdsFor(sydentRaw(server.dbPath), t).length;
  }
  return { globalDeleted: 0, globalRemovedByReplication: first - left, globalRemaining: left, via: "replication", ...(stopped ? { stoppedWaiting: stopped } : {}) };
}

/**
 * The hopeless check for a job's waits (ApiOptions.hopeless): the first registered server whose
 * local table still binds one of the subject's 3PIDs to one of the subject's Matrix IDs, named
 * with counts only, or null. One indexed autocommit read per 3PID and server; a server that
 * cannot be read says nothing (its copy may still be on its way). Only meaningful after the job's
 * unbinds were issued: runSteps plans every origin's unbind before any wait for a peer.
 */
export function stillBoundAtOrigin(servers: { label: string; dbPath: string }[], ids: { emails: string[]; msisdns: string[]; mxids: string[] }): string | null {
  if (ids.mxids.length === 0) return null;
  const threepids = [...ids.emails.map((a) => ["email", a] as const), ...ids.msisdns.map((a) => ["msisdn", a] as const)];
  for (const s of servers) {
    try {
      const stmt = sydentRaw(s.dbPath).prepare(`SELECT count(*) AS n FROM local_threepid_associations WHERE medium = ? AND address = ? AND mxid IN (${placeholders(ids.mxids.length)})`);
      const n = threepids.reduce((k, [m, a]) => k + (stmt.get(m, a, ...ids.mxids) as { n: number }).n, 0);
      if (n > 0) return `${s.label} still binds ${n} of the subject's 3PIDs to the subject after the unbinds were issued: no tombstone is on its way`;
    } catch {
      // unreadable now: no conclusion from this server
    }
  }
  return null;
}
