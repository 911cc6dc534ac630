// Replication peers as the overview shows them (sydent.md 2.3): Sydent pushes local rows with
// id > lastSentVersion to every active peer every 10 s and records lastPokeSucceededAt (ms).

export const STUCK_AFTER_MS = 10 * 60 * 1000;

export type PeerRow = { name: string; port: number | null; lastSentVersion: number | null; lastPokeSucceededAt: number | null; active: number };

export type PeerStatus = {
  name: string;
  port: number | null;
  active: boolean;
  hasPublicKey: boolean;
  lastSentVersion: number | null;
  newestLocalId: number;
  /** newestLocalId - lastSentVersion: ids not yet acknowledged by this peer. */
  backlog: number;
  /** Rows that still exist with id > lastSentVersion (what the next pushes will send). */
  pendingRows: number;
  lastPokeSucceededAt: string | null;
  /** Active, behind, and no successful push within STUCK_AFTER_MS (or never). */
  stuck: boolean;
};

export function peerStatus(
  row: PeerRow,
  facts: { newestLocalId: number; pendingRows: number; hasPublicKey: boolean; now: number },
): PeerStatus {
  const backlog = Math.max(0, facts.newestLocalId - (row.lastSentVersion ?? 0));
  const lastPoke = row.lastPokeSucceededAt;
  const stale = lastPoke === null || facts.now - lastPoke > STUCK_AFTER_MS;
  return {
    name: row.name,
    port: row.port,
    active: row.active === 1,
    hasPublicKey: facts.hasPublicKey,
    lastSentVersion: row.lastSentVersion,
    newestLocalId: facts.newestLocalId,
    backlog,
    pendingRows: facts.pendingRows,
    lastPokeSucceededAt: lastPoke === null ? null : new Date(lastPoke).toISOString(),
    stuck: row.active === 1 && backlog > 0 && stale,
  };
}
