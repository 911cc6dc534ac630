import crypto from "node:crypto";
import { haproxyLine, sydentLine, twistedAccessLine, type Level } from "@/lib/demo/log-format";
import type { Rng } from "@/lib/demo/prng";
import { DEMO_LB_HOST } from "@/lib/demo/servers";
import type { ServerIndex } from "@/lib/demo/subjects";
import type { DemoServer } from "@/lib/demo/types";

// Collects timestamped log entries for the two Sydent logs and the shared HAProxy log. A
// request through the load balancer produces both Sydent's access line (peer = HAProxy's
// address) and HAProxy's line (the real client address); direct calls (internal API,
// replication) appear only in Sydent's log.

export type Entry = { ms: number; text: string };

export type Request = {
  ms: number;
  method: "GET" | "POST";
  uri: string;
  status: number;
  bytes: number;
  ua: string;
  /** Client address seen by HAProxy; null for calls that bypass it (then `peerIp`). */
  clientIp: string | null;
  peerIp?: string;
  httpVersion?: string;
};

export function homeserverIp(hs: string): string {
  const h = crypto.createHash("sha256").update(hs).digest();
  return `198.51.100.${200 + (h[0] % 50)}`;
}

export function createLogSink(servers: [DemoServer, DemoServer], rl: Rng) {
  const sydent: Entry[][] = [[], []];
  const haproxy: Entry[] = [];

  const app = (s: ServerIndex, ms: number, logger: string, lineno: number, level: Level, message: string) => {
    sydent[s].push({ ms, text: sydentLine(ms, logger, lineno, level, message) });
  };
  const raw = (s: ServerIndex, ms: number, text: string) => sydent[s].push({ ms, text });

  const request = (s: ServerIndex, r: Request) => {
    const server = servers[s];
    const peerIp = r.clientIp === null ? (r.peerIp ?? "127.0.0.1") : server.proxyIp;
    const bracketMs = r.ms - rl.int(0, 999);
    sydent[s].push({ ms: r.ms, text: twistedAccessLine({ ...r, peerIp, bracketMs }) });
    if (r.clientIp === null) return;
    const tr = rl.int(1, 12);
    const tc = rl.int(0, 2);
    const ta = tr + tc + rl.int(0, 1);
    const end = r.ms + rl.int(0, 2);
    const micros = rl.int(0, 999);
    haproxy.push({
      ms: end + micros / 1000,
      text: haproxyLine({
        ms: end, micros, host: DEMO_LB_HOST, pid: haproxyPid(end),
        clientIp: r.clientIp, clientPort: rl.int(32768, 60999), acceptMs: end - ta,
        backend: `be_sydent_${server.label}`, server: server.label, timers: [0, 0, tc, tr, ta],
        status: r.status, bytes: r.bytes + (r.status === 404 ? 150 : 249),
        conns: [1, 1, 0, 0, 0], capturedHost: server.serverName, ua: r.ua,
        requestLine: `${r.method} ${r.uri} ${r.httpVersion ?? "HTTP/1.1"}`,
      }),
    });
  };

  return { sydent, haproxy, app, raw, request };
}

export type LogSink = ReturnType<typeof createLogSink>;

/** HAProxy is reloaded now and then (package upgrades): a new pid every 30 days. */
export function haproxyPid(ms: number): number {
  const epoch = Math.floor(ms / (30 * 86_400_000));
  return 700 + ((epoch * 7919) % 2600);
}
