import { lookupHash } from "@/lib/sydent/lookup-hash";
import { pushTime } from "@/lib/demo/servers";
import { pythonJson, signJson, type JsonValue } from "@/lib/demo/signing";
import type { ServerIndex } from "@/lib/demo/subjects";
import type { SydentWriter } from "@/lib/demo/sydent-writer";
import { HUNDRED_YEARS_MS, type DemoServer, type GenBinding } from "@/lib/demo/types";

// Sydent's association bookkeeping on two replicating servers, event by event in time order:
// local ids (AUTOINCREMENT, tombstones take new ids), the synchronous local push into global,
// 10-second pushes to the peer (inserted with the peer's own pepper), deletions travelling as
// tombstones, and an is1 -> is2 link that stops working at `stuckSince`.

type Pending = { time: number; b: GenBinding; sg: string; localId: number; deliver: boolean };
type Unbind = { time: number; b: GenBinding };

export type SimHooks = {
  /** A local row got id `localId` on `server` (bind or tombstone). */
  onLocal?(kind: "bind" | "unbind", b: GenBinding, localId: number, time: number, replicated: boolean): void;
};

export function sgAssocJson(b: GenBinding, server: DemoServer, invites: JsonValue[] | null): string {
  const obj: { [k: string]: JsonValue } = {
    medium: b.medium, address: b.address, mxid: b.mxid, ts: b.ts, not_before: b.ts, not_after: b.ts + HUNDRED_YEARS_MS,
  };
  if (invites) obj.invites = invites;
  return pythonJson(signJson(obj, server.serverName, server.key));
}

export function createReplicationSim(servers: [DemoServer, DemoServer], writers: [SydentWriter, SydentWriter], stuckSince: number, hooks: SimHooks = {}) {
  const localSeq = [0, 0];
  const globalSeq = [0, 0];
  const queue: Pending[][] = [[], []];
  const qHead = [0, 0];
  const heaps: Unbind[][] = [[], []];
  const lastPoke = [0, 0];
  let lastSentIs1: number | undefined;
  const backlogTimes: number[] = [];

  const heapPush = (h: Unbind[], u: Unbind) => {
    h.push(u);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (h[p].time <= h[i].time) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  };
  const heapPop = (h: Unbind[]): Unbind => {
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && h[l].time < h[m].time) m = l;
        if (r < h.length && h[r].time < h[m].time) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  };

  /** Every local event on is1 at/after the failing push stays in is1's backlog. */
  const noteLocal = (s: ServerIndex, time: number) => {
    const t = pushTime(time, s);
    if (s === 0 && t > stuckSince) {
      lastSentIs1 ??= localSeq[0];
      backlogTimes.push(time);
    }
    if (s === 1 || t <= stuckSince) lastPoke[s] = Math.max(lastPoke[s], t + 11);
  };

  const receive = (s: ServerIndex, p: Pending) => {
    if (!p.deliver) return;
    const id = ++globalSeq[s];
    if (p.b.unbindTs !== null) return; // inserted, later deleted by the replicated tombstone
    const b = p.b;
    writers[s].global([id, b.medium, b.address, b.mxid, b.ts, b.ts, b.ts + HUNDRED_YEARS_MS, servers[b.origin].serverName, p.localId, p.sg, lookupHash(b.medium, b.address, servers[s].pepper)]);
  };

  const unbind = (s: ServerIndex, u: Unbind) => {
    noteLocal(s, u.time);
    const id = ++localSeq[s];
    writers[s].local([id, u.b.medium, u.b.address, null, u.time, null, null, null]);
    hooks.onLocal?.("unbind", u.b, id, u.time, s === 1 || pushTime(u.time, 0) <= stuckSince);
  };

  /** Apply everything that happened up to and including `t`. */
  const advance = (t: number) => {
    for (const s of [0, 1] as const) {
      const q = queue[s];
      const h = heaps[s];
      for (;;) {
        const p = qHead[s] < q.length ? q[qHead[s]] : undefined;
        const u = h.length ? h[0] : undefined;
        const pt = p && p.time <= t ? p.time : Infinity;
        const ut = u && u.time <= t ? u.time : Infinity;
        if (pt === Infinity && ut === Infinity) break;
        if (pt <= ut) {
          receive(s, p!);
          qHead[s]++;
        } else unbind(s, heapPop(h));
      }
      if (qHead[s] > 4096) {
        q.splice(0, qHead[s]);
        qHead[s] = 0;
      }
    }
  };

  /** A new binding on its origin server; returns the local id it got. */
  const bind = (b: GenBinding, sg: string): number => {
    const o = b.origin;
    advance(b.ts);
    noteLocal(o, b.ts);
    const localId = ++localSeq[o];
    const gid = ++globalSeq[o];
    if (b.unbindTs === null) {
      const mine = servers[o];
      const hash = lookupHash(b.medium, b.address, mine.pepper);
      writers[o].local([localId, b.medium, b.address, b.mxid, b.ts, b.ts, b.ts + HUNDRED_YEARS_MS, hash]);
      writers[o].global([gid, b.medium, b.address, b.mxid, b.ts, b.ts, b.ts + HUNDRED_YEARS_MS, mine.serverName, localId, sg, hash]);
    } else heapPush(heaps[o], { time: b.unbindTs, b });
    const t = pushTime(b.ts, o);
    const deliver = o === 1 || t <= stuckSince;
    queue[1 - o].push({ time: t, b, sg, localId, deliver });
    hooks.onLocal?.("bind", b, localId, b.ts, deliver);
    return localId;
  };

  const finish = (ref: number) => {
    advance(ref);
    for (const s of [0, 1] as const) {
      if (heaps[s].length || qHead[s] < queue[s].length) throw new Error("replication simulation: events after the reference time");
      writers[s].sequence("local_threepid_associations", localSeq[s]);
      writers[s].sequence("global_threepid_associations", globalSeq[s]);
    }
    const sentIs1 = lastSentIs1 ?? localSeq[0];
    return {
      maxLocalId: [localSeq[0], localSeq[1]] as [number, number],
      /** [is1's row for is2, is2's row for is1] */
      lastSentVersion: [sentIs1, localSeq[1]] as [number, number],
      lastPokeSucceededAt: [lastPoke[0], lastPoke[1]] as [number, number],
      /** Times of is1's local events that is2 never received. */
      backlogTimes,
    };
  };

  return { bind, advance, finish };
}
