import type { PeerStatus } from "@/lib/sydent/peers";

// Plain-language checks that a Sydent file is consistent with how it is registered.

export type SanityFacts = {
  serverName?: string;
  pepperPresent: boolean;
  peers: PeerStatus[];
  globalByOrigin: Record<string, number>;
  /** Non-tombstone rows in local_threepid_associations. */
  liveLocalRows: number;
};

export function sanityWarnings(f: SanityFacts): string[] {
  const warnings: string[] = [];
  if (!f.pepperPresent) warnings.push("hashing_metadata has no lookup pepper (row id 0): v2 hashed lookups cannot work.");
  for (const p of f.peers.filter((p) => !p.hasPublicKey)) {
    warnings.push(`Peer ${p.name} has no row in peer_pubkeys: Sydent cannot verify its pushes.`);
  }
  if (!f.serverName) return warnings;
  if (f.peers.some((p) => p.name === f.serverName)) {
    warnings.push(`peers lists ${f.serverName} itself: a server never replicates to itself.`);
  }
  if (f.liveLocalRows > 0 && !f.globalByOrigin[f.serverName]) {
    warnings.push(`No global row has originServer ${f.serverName} although ${f.liveLocalRows} local binding(s) exist: is server.name right?`);
  }
  const known = new Set([f.serverName, ...f.peers.map((p) => p.name)]);
  for (const [origin, n] of Object.entries(f.globalByOrigin)) {
    if (!known.has(origin)) warnings.push(`${n} global row(s) come from ${origin}, which is neither this server nor a peer.`);
  }
  return warnings;
}
