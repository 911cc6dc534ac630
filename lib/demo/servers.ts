import { createRng } from "@/lib/demo/prng";
import { signingKeyFromSeed } from "@/lib/demo/signing";
import type { DemoServer } from "@/lib/demo/types";

// The two replicating demo identity servers. Peppers are 5 alphanumerics like Sydent's
// generateAlphanumericTokenOfLength(5); signing keys are Ed25519 from seeded 32-byte seeds.

export const DEMO_SERVER_NAMES = ["is1.demo.custodian.test", "is2.demo.custodian.test"] as const;
export const DEMO_LB_HOST = "lb-demo-01";
export const REPLICATION_PORT = 4434;

/** Push phase of each server's 10-second LoopingCall, in ms. */
export const PUSH_PHASE_MS = [3_559, 7_211] as const;

export function demoServers(seed: string): [DemoServer, DemoServer] {
  const r = createRng(seed, "servers");
  const make = (index: 0 | 1): DemoServer => {
    const serverName = DEMO_SERVER_NAMES[index];
    return {
      index,
      label: index === 0 ? "is1" : "is2",
      serverName,
      pepper: r.alnum(5),
      key: signingKeyFromSeed(r.bytes(32)),
      proxyIp: "10.30.0.2",
      hostIp: index === 0 ? "10.30.0.11" : "10.30.0.12",
      replicationUrl: `https://${DEMO_SERVER_NAMES[1 - index]}:${REPLICATION_PORT}/`,
    };
  };
  return [make(0), make(1)];
}

/** When the 10-second pusher on `origin` first sends something that happened at `ts`. */
export function pushTime(ts: number, origin: 0 | 1): number {
  const phase = PUSH_PHASE_MS[origin];
  return Math.floor((ts - phase) / 10_000 + 1) * 10_000 + phase;
}
