import path from "node:path";
import { generatedBindings, mergeByTime, subjectBindings, type Timeline } from "@/lib/demo/binding-stream";
import { createInviteBook } from "@/lib/demo/invite-book";
import { peopleSpace } from "@/lib/demo/people";
import { createRng } from "@/lib/demo/prng";
import { createReplicationSim, sgAssocJson } from "@/lib/demo/replication-sim";
import { demoServers, pushTime } from "@/lib/demo/servers";
import { makeSessionInfo, registerAccount, writeInvites, writeSessions, type SessionRec } from "@/lib/demo/side-tables";
import { DEMO_SUBJECTS, type ServerIndex } from "@/lib/demo/subjects";
import { createSydentWriter } from "@/lib/demo/sydent-writer";
import { DAY_MS, HOUR_MS, type DemoServer, type LogEvent, type ReplicationState } from "@/lib/demo/types";

// Builds is1.db and is2.db: two replicating Sydent 2.7.0 databases with the exact schema,
// Sydent's units and replication rules, and the named demo subjects (lib/demo/subjects.ts).
// Deterministic: the same seed, scale and reference time give the same rows.

export type GenerateSydentOptions = {
  outDir: string;
  bindings: number;
  seed: string;
  referenceTime: Date;
  /** Days of logs wanted; bindings in that window are reported as log events. */
  logDays: number;
  onProgress?: (message: string) => void;
};

export type GenerateSydentResult = {
  servers: [DemoServer, DemoServer];
  dbPaths: [string, string];
  timeline: Timeline;
  replication: ReplicationState;
  events: LogEvent[];
  generatedBindings: number;
};

export const HISTORY_DAYS = 730;
export const SESSION_WINDOW_MS = 5 * DAY_MS;
/** Servers were upgraded to Sydent >= 2.5.0 (the invite-leak bug) this long before ref. */
export const LEAK_SINCE_MS = 130 * DAY_MS;
const MAX_LOGGED_BINDS_PER_DAY = 16;

function restartTimes(seed: string, s: ServerIndex, t: Timeline, leakSince: number, keepClear: [number, number][]): number[] {
  const r = createRng(seed, `restarts-${s}`);
  const out: number[] = [leakSince + s * 600_000 + r.int(0, HOUR_MS)];
  for (let x = t.start + r.int(1, 6) * DAY_MS; x < t.ref - HOUR_MS; x += r.int(1, 6) * DAY_MS + r.int(0, 23) * HOUR_MS) out.push(x + r.int(0, HOUR_MS));
  return out.filter((x) => !keepClear.some(([a, b]) => x >= a && x <= b)).sort((a, b) => a - b);
}

export function generateSydent(opts: GenerateSydentOptions): GenerateSydentResult {
  const ref = opts.referenceTime.getTime();
  const timeline: Timeline = { ref, start: ref - HISTORY_DAYS * DAY_MS, end: ref - 20 * 60_000, stuckSince: pushTime(ref - 3 * HOUR_MS, 0) };
  const servers = demoServers(opts.seed);
  const dbPaths = servers.map((s) => path.join(opts.outDir, `${s.label}.db`)) as [string, string];
  const writers = [createSydentWriter(dbPaths[0]), createSydentWriter(dbPaths[1])] as const;
  const subjects = subjectBindings(timeline);
  const generatedCount = Math.max(0, opts.bindings - subjects.length);
  const space = peopleSpace(Math.ceil(generatedCount * 1.25) + 2000);
  const logStart = Math.floor(ref / DAY_MS) * DAY_MS - (opts.logDays - 1) * DAY_MS;
  const sessionStart = ref - SESSION_WINDOW_MS;
  const leakSince = ref - LEAK_SINCE_MS;
  const events: LogEvent[] = [];
  const logged = new Map<string, number>();
  const wantLog = (s: ServerIndex, ts: number, subject?: string) => {
    if (ts < logStart || ts > ref) return false;
    if (subject) return true;
    const k = `${s}:${Math.floor(ts / DAY_MS)}`;
    const n = logged.get(k) ?? 0;
    logged.set(k, n + 1);
    return n < MAX_LOGGED_BINDS_PER_DAY;
  };

  const r = createRng(opts.seed, "side-tables");
  const rl = createRng(opts.seed, "log-choices");
  const invites = createInviteBook(opts.seed, servers, space, generatedCount + 1000, ref, (e) => {
    if (wantLog(e.server, e.ts, e.subject)) events.push(e);
  });
  const sessions: SessionRec[][] = [[], []];
  const usedSids = [new Set<number>(), new Set<number>()];
  const reapedSessions = [0, 0];
  const bob = subjects.find((b) => b.subject === "bob")!;
  const chloe = subjects.find((b) => b.subject === "chloe")!;
  const restarts = ([0, 1] as const).map((s) => restartTimes(opts.seed, s, timeline, leakSince, s === bob.origin ? [[bob.ts - HOUR_MS, chloe.ts + HOUR_MS]] : []));
  for (const s of [0, 1] as const) for (const ts of restarts[s]) if (ts >= logStart) events.push({ kind: "restart", server: s, ts });
  const restartPtr = [0, 0];
  const leak: (ReturnType<typeof invites.deliver>["embedded"] | null)[] = [null, null];

  const sim = createReplicationSim(servers, [writers[0], writers[1]], timeline.stuckSince, {
    onLocal(kind, b, localId, time, replicated) {
      if (kind !== "unbind" || !wantLog(b.origin, time, b.subject)) return;
      const via = b.subject || rl.chance(0.7) ? "v2" : "internal";
      events.push({ kind: "unbind", server: b.origin, ts: time, medium: b.medium, address: b.address, mxid: b.mxid, homeserver: b.homeserver, localId, via, replicated, subject: b.subject });
    },
  });

  for (const w of writers) w.begin();
  let n = 0;
  const started = Date.now();
  for (const b of mergeByTime(generatedBindings(opts.seed, generatedCount, timeline, space), subjects)) {
    const o = b.origin;
    while (restartPtr[o] < restarts[o].length && restarts[o][restartPtr[o]] <= b.ts) {
      leak[o] = null;
      restartPtr[o]++;
    }
    const delivery = invites.deliver(b);
    let embedded = delivery.embedded;
    if (embedded && b.ts >= leakSince) leak[o] = embedded;
    else if (!embedded && leak[o]) embedded = leak[o];
    const localId = sim.bind(b, sgAssocJson(b, servers[o], embedded));
    invites.afterBind(b);

    const stored = b.via !== "internal" && b.ts >= sessionStart;
    const info = makeSessionInfo(r, b.medium, stored ? usedSids[o] : undefined);
    if (stored) sessions[o].push({ server: o, medium: b.medium, typed: b.typed, validated: 1, mtime: b.ts - r.int(15_000, 900_000), info });
    else if (b.via !== "internal") reapedSessions[o]++;
    if (b.account) registerAccount(writers[o], r, b.mxid, b.ts - r.int(60_000, 600_000), b.account);
    if (b.person >= 0 && r.chance(0.02)) {
      const s = r.chance(0.6) ? 0 : 1;
      registerAccount(writers[s], r, invites.inviteePerson().mxid, b.ts, r.pick(["all", "partial", "none"] as const));
    }
    if (b.person >= 0 && b.ts >= sessionStart && r.chance(0.25)) {
      const p = invites.inviteePerson();
      const s: ServerIndex = r.chance(0.6) ? 0 : 1;
      const mtime = Math.min(ref - 60_000, b.ts + r.int(60_000, 3 * HOUR_MS));
      const sinfo = makeSessionInfo(r, "email", usedSids[s]);
      sessions[s].push({ server: s, medium: "email", typed: p.typedEmail, validated: 0, mtime, info: sinfo });
      if (wantLog(s, mtime)) events.push({ kind: "session", server: s, ts: mtime, medium: "email", typed: p.typedEmail, session: sinfo, clientIp: b.clientIp, ua: b.ua, mailFails: false });
    }
    if (b.via !== "internal" && wantLog(o, b.ts, b.subject)) {
      events.push({
        kind: "bind", server: o, ts: b.ts, medium: b.medium, address: b.address, typed: b.typed, mxid: b.mxid, homeserver: b.homeserver,
        localId, via: b.via, clientIp: b.clientIp, ua: b.ua, country: b.country, session: info,
        delivered: delivery.delivered.map((d) => ({ address: d.address })), onbindFailed: delivery.onbindFailed,
        replicated: o === 1 || pushTime(b.ts, 0) <= timeline.stuckSince, subject: b.subject,
      });
    }
    if (++n % 25_000 === 0) {
      for (const w of writers) { w.commit(); w.begin(); }
      opts.onProgress?.(`sydent: ${n.toLocaleString("en")} bindings (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
  }
  for (const subject of DEMO_SUBJECTS) {
    for (const a of subject.abandonedSessions ?? []) {
      const mtime = ref - Math.round(a.hoursAgo * HOUR_MS) - r.int(0, 1_800_000);
      const info = makeSessionInfo(r, "email", usedSids[a.server]);
      if (mtime >= sessionStart) sessions[a.server].push({ server: a.server, medium: "email", typed: a.typed, validated: 0, mtime, info });
      events.push({ kind: "session", server: a.server, ts: mtime, medium: "email", typed: a.typed, session: info, clientIp: subject.clientIp, ua: subject.ua, mailFails: !!a.mailFails, subject: subject.key });
    }
  }
  const rep = sim.finish(ref);
  for (const s of [0, 1] as const) {
    const w = writers[s];
    const peer = servers[1 - s];
    w.pepper(servers[s].pepper);
    w.peer(peer.serverName, rep.lastSentVersion[s], rep.lastPokeSucceededAt[s], peer.key.publicKeyBase64);
    writeInvites(w, invites.all(s));
    writeSessions(w, sessions[s], Math.floor(reapedSessions[s] * 1.15));
    w.commit();
    w.finish();
  }
  events.sort((a, b) => a.ts - b.ts);
  return { servers, dbPaths, timeline, replication: { stuckSince: timeline.stuckSince, ...rep }, events, generatedBindings: generatedCount };
}
