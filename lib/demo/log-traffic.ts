import { normaliseAddress } from "@/lib/sydent/normalise";
import type { createFlows } from "@/lib/demo/log-flows";
import { sydentAsctime } from "@/lib/demo/log-format";
import type { LogSink } from "@/lib/demo/log-sink";
import { BROWSER_UAS, SCANNER_REQUESTS, SYNAPSE_UA } from "@/lib/demo/names";
import type { Rng } from "@/lib/demo/prng";
import { DEMO_SUBJECTS, type ServerIndex } from "@/lib/demo/subjects";
import { DAY_MS, HOUR_MS, type DemoServer, type LogEvent, type ReplicationState } from "@/lib/demo/types";

// Everyday traffic around the recorded events: lookups (v1 with the address in the URL, v2
// hashed), terms and account checks, key checks from homeservers, scanners, and is1's failing
// pushes to is2 once replication got stuck.

type Flows = ReturnType<typeof createFlows>;

function randomIp(r: Rng): string {
  return `${r.pick(["203.0.113", "198.51.100", "192.0.2"])}.${r.int(1, 254)}`;
}

export function playTraffic(
  sink: LogSink,
  flows: Flows,
  servers: [DemoServer, DemoServer],
  events: LogEvent[],
  rep: ReplicationState,
  rl: Rng,
  window: { start: number; ref: number },
) {
  const { request, app, raw } = sink;
  const bound: { medium: string; address: string; ts: number }[] = events
    .filter((e): e is Extract<LogEvent, { kind: "bind" }> => e.kind === "bind")
    .map((e) => ({ medium: e.medium, address: e.address, ts: e.ts }));
  let bi = 0;
  for (let day = window.start; day < window.ref; day += DAY_MS) {
    while (bi < bound.length && bound[bi].ts < day) bi++;
    for (const s of [0, 1] as const) {
      const span = Math.min(DAY_MS, window.ref - day);
      const at = () => day + rl.int(0, span - 1);
      const ua = () => rl.pick(BROWSER_UAS);
      for (let i = rl.int(1, 5); i > 0; i--) {
        const ms = at();
        if (bi > 0 && rl.chance(0.8)) {
          const b = bound[rl.int(Math.max(0, bi - 400), bi - 1)];
          flows.lookup(s, ms, b.medium, b.address, true, randomIp(rl), ua());
        } else flows.lookup(s, ms, "email", `${rl.letters(6).toLowerCase()}@example.org`, false, randomIp(rl), ua());
      }
      for (let i = rl.int(0, 3); i > 0; i--) {
        const ms = at();
        const ip = randomIp(rl);
        const u = ua();
        request(s, { ms, method: "GET", uri: "/_matrix/identity/v2/hash_details", status: 200, bytes: 60, ua: u, clientIp: ip });
        const n = rl.int(1, 40);
        app(s, ms + 6, "sydent.http.servlets.lookupv2servlet", 96, "INFO", `Lookup of ${n} threepid(s) with algorithm sha256`);
        request(s, { ms: ms + 7, method: "POST", uri: "/_matrix/identity/v2/lookup", status: 200, bytes: 20 + n * 8, ua: u, clientIp: ip });
      }
      if (rl.chance(0.3)) {
        const ms = at();
        const n = rl.int(2, 30);
        app(s, ms, "sydent.http.servlets.bulklookupservlet", 56, "INFO", `Bulk lookup of ${n} threepids`);
        request(s, { ms: ms + 1, method: "POST", uri: "/_matrix/identity/api/v1/bulk_lookup", status: 200, bytes: 20 + n * 40, ua: ua(), clientIp: randomIp(rl) });
      }
      for (let i = rl.int(0, 2); i > 0; i--) {
        const ms = at();
        const ip = randomIp(rl);
        const u = ua();
        request(s, { ms, method: "GET", uri: "/_matrix/identity/v2/terms", status: 200, bytes: 464, ua: u, clientIp: ip });
        request(s, { ms: ms + 900, method: "GET", uri: "/_matrix/identity/v2/account", status: 200, bytes: 42, ua: u, clientIp: ip });
      }
      if (rl.chance(0.5)) {
        const key = rl.bytes(32).toString("base64url");
        request(s, { ms: at(), method: "GET", uri: `/_matrix/identity/api/v1/pubkey/ephemeral/isvalid?public_key=${key}`, status: 200, bytes: 15, ua: SYNAPSE_UA, clientIp: "198.51.100.201" });
      }
      for (let i = rl.int(0, 3); i > 0; i--) {
        const scan = rl.pick(SCANNER_REQUESTS);
        request(s, { ms: at(), method: "GET", uri: scan.path, status: 404, bytes: 167, ua: scan.ua, clientIp: randomIp(rl) });
      }
      if (rl.chance(0.04)) {
        const ms = at();
        app(s, ms, "sydent.util.ratelimiter", 78, "WARNING", `Ratelimit hit: Too many requests: ${servers[s].proxyIp}`);
        request(s, { ms: ms + 1, method: "POST", uri: "/_matrix/identity/api/v1/validate/email/requestToken", status: 429, bytes: 67, ua: ua(), clientIp: randomIp(rl) });
      }
    }
  }
  for (const subject of DEMO_SUBJECTS) {
    const tp = subject.threepids[0];
    if (!tp) continue;
    const address = normaliseAddress(tp.medium, tp.typed);
    for (const h of subject.lookupsHoursAgo ?? []) {
      const ms = window.ref - Math.round(h * HOUR_MS) + rl.int(-1_800_000, 1_800_000);
      const found = ms > window.ref - tp.boundHoursAgo * HOUR_MS && (tp.unboundHoursAgo === undefined || ms < window.ref - tp.unboundHoursAgo * HOUR_MS);
      flows.lookup(tp.server, ms, tp.medium, address, found, randomIp(rl), rl.pick(BROWSER_UAS));
    }
  }
  stuckPushes(servers, rep, window.ref, app, raw);
}

/** Every 10 s is1 tries to push its backlog to is2 and fails (logger.exception: traceback). */
function stuckPushes(servers: [DemoServer, DemoServer], rep: ReplicationState, ref: number, app: LogSink["app"], raw: LogSink["raw"]) {
  const url = servers[0].replicationUrl;
  const s: ServerIndex = 0;
  let pending = 0;
  for (let t = rep.stuckSince + 10_000; t <= ref; t += 10_000) {
    while (pending < rep.backlogTimes.length && rep.backlogTimes[pending] < t) pending++;
    if (!pending) continue;
    app(s, t, "sydent.replication.pusher", 106, "INFO", `Pushing ${Math.min(100, pending)} updates to ${url}`);
    raw(s, t + 3, [
      `${sydentAsctime(t + 3)} - sydent.replication.pusher - 122 - ERROR - Error pushing updates to ${url}`,
      "Traceback (most recent call last):",
      '  File "/opt/sydent/sydent/replication/pusher.py", line 110, in _push_to_peer',
      "    result = await p.pushUpdates(assocs)",
      '  File "/opt/sydent/sydent/replication/peer.py", line 235, in pushUpdates',
      "    response = await self.sydent.replicationHttpsClient.postJson(",
      "twisted.internet.error.ConnectionRefusedError: Connection was refused by other side: 111: Connection refused.",
    ].join("\n"));
  }
}
