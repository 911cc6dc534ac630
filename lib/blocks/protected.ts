import dns from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { ipContains } from "@/lib/blocks/targets";
import { sydentRaw } from "@/lib/sydent/open";

// What a block must never cut off: loopback (health checks, Custodian itself, HAProxy's own
// checks), configured health-check sources, the registered identity servers and their replication
// peers (by every address their names resolve to), and homeservers listed as protected.

export type ProtectedSource = { value: string; why: string };

/** The loopback sources every deployment uses for health checks; blocking them is always refused. */
export const LOOPBACK: ProtectedSource[] = [
  { value: "127.0.0.1", why: "the loopback address (health checks and local services)" },
  { value: "::1", why: "the IPv6 loopback address (health checks and local services)" },
];

function hostOf(name: string): string | null {
  try {
    if (/^https?:\/\//.test(name)) return new URL(name).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return null;
  }
  const bracket = /^\[([^\]]+)\]/.exec(name);
  if (bracket) return bracket[1];
  return name.split(":")[0] || null;
}

async function addressesOf(host: string): Promise<string[]> {
  if (ipaddr.isValid(host)) return [ipaddr.process(host).toString()];
  try {
    const r = await Promise.race([
      dns.lookup(host, { all: true }),
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error("timeout")), 2000)),
    ]);
    return r.map((a) => ipaddr.process(a.address).toString());
  } catch {
    return [];
  }
}

function peerNames(dbPath: string): string[] {
  try {
    const raw = sydentRaw(dbPath, { readonly: true });
    return (raw.prepare("SELECT name FROM peers").all() as { name: string }[]).map((r) => r.name);
  } catch {
    return [];
  }
}

export async function protectedSources(): Promise<ProtectedSource[]> {
  const out = [...LOOPBACK];
  for (const s of env().CUSTODIAN_BLOCKS_PROTECTED_SOURCES.split(",").map((x) => x.trim()).filter(Boolean)) {
    out.push({ value: s, why: "a protected health-check source (CUSTODIAN_BLOCKS_PROTECTED_SOURCES)" });
  }
  const servers = await db().identityServer.findMany({ where: { disabledAt: null } });
  for (const s of servers) {
    const names: [string, string][] = [[s.serverName, `identity server ${s.label}`]];
    if (s.clientApiUrl) names.push([s.clientApiUrl, `identity server ${s.label}'s client API`]);
    if (s.internalApiUrl) names.push([s.internalApiUrl, `identity server ${s.label}'s internal API`]);
    for (const p of peerNames(s.dbPath)) names.push([p, `replication peer ${p} of ${s.label}`]);
    for (const [name, why] of names) {
      const host = hostOf(name);
      if (!host) continue;
      for (const a of await addressesOf(host)) out.push({ value: a, why });
    }
  }
  return out;
}

/** The protected source an IP block would cut off, or null. */
export function protectedSourceHit(blockValue: string, sources: ProtectedSource[]): ProtectedSource | null {
  for (const s of sources) {
    try {
      if (ipContains(blockValue, s.value) || ipContains(s.value, blockValue)) return s;
    } catch {
      // a malformed configured entry protects nothing
    }
  }
  return null;
}

export function protectedHomeservers(): string[] {
  return env().CUSTODIAN_BLOCKS_PROTECTED_HOMESERVERS.split(",").map((x) => x.trim().toLowerCase()).filter(Boolean);
}
