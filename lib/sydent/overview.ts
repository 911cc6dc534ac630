import type Database from "better-sqlite3";
import { EXPECTED_TABLE_NAMES } from "@/lib/sydent/expected-schema";
import { classifyError, type SydentError } from "@/lib/sydent/errors";
import { inspectSydentDb, type InspectOk } from "@/lib/sydent/inspect";
import { countSgAssocWithInvites } from "@/lib/sydent/invite-scan";
import { busyTimeoutMs, sydentRaw, type OpenOptions } from "@/lib/sydent/open";
import { peerStatus, type PeerRow, type PeerStatus } from "@/lib/sydent/peers";
import { sanityWarnings } from "@/lib/sydent/sanity";
import { timed, type Timing } from "@/lib/sydent/timing";

// The identity-server overview: no personal data, only counts, schema drift and replication state.
// Each figure comes from its own short autocommit statement (no read transaction), so the numbers
// can be a few milliseconds apart from each other on a live server; that is the price of never
// blocking Sydent's writes.

export type OverviewData = {
  counts: Record<string, number | null>;
  pepperPresent: boolean;
  newestLocalId: number;
  tombstones: number;
  liveLocalRows: number;
  globalByOrigin: Record<string, number>;
  sgAssocWithInvites: number | null;
  peers: PeerStatus[];
  warnings: string[];
};
export type OverviewResult =
  | ({ ok: true; inspection: InspectOk; timings: Timing[] } & OverviewData)
  | { ok: false; file: string; error: SydentError; timings: Timing[] };

export type OverviewOptions = OpenOptions & {
  /** The registered server.name, for the consistency warnings. */
  serverName?: string;
  now?: number;
  /** Skip the sgAssoc scan (the one read that grows with the table); sgAssocWithInvites is then null. */
  skipInviteScan?: boolean;
};

type Ctx = { db: Database.Database; timings: Timing[]; has: (table: string) => boolean };

function scalar(c: Ctx, label: string, sql: string, ...params: unknown[]): number {
  return timed(c.timings, label, () => Number(c.db.prepare(sql).pluck().get(...params) ?? 0));
}

function counts(c: Ctx): Record<string, number | null> {
  return Object.fromEntries(
    EXPECTED_TABLE_NAMES.map((t) => [t, c.has(t) ? scalar(c, `count ${t}`, `SELECT count(*) FROM "${t}"`) : null]),
  );
}

function pepperPresent(c: Ctx): boolean {
  if (!c.has("hashing_metadata")) return false;
  const sql = `SELECT count(*) FROM hashing_metadata WHERE id = 0 AND lookup_pepper IS NOT NULL AND lookup_pepper <> ''`;
  return scalar(c, "pepper present", sql) > 0;
}

function globalByOrigin(c: Ctx): Record<string, number> {
  if (!c.has("global_threepid_associations")) return {};
  const sql = `SELECT originServer AS origin, count(*) AS n FROM global_threepid_associations GROUP BY originServer ORDER BY originServer`;
  const rows = timed(c.timings, "global rows by originServer", () => c.db.prepare(sql).all() as { origin: string; n: number }[]);
  return Object.fromEntries(rows.map((r) => [r.origin, r.n]));
}

function peers(c: Ctx, newestLocalId: number, now: number): PeerStatus[] {
  if (!c.has("peers")) return [];
  const sql = `SELECT name, port, lastSentVersion, lastPokeSucceededAt, active FROM peers ORDER BY name`;
  const rows = timed(c.timings, "peers", () => c.db.prepare(sql).all() as PeerRow[]);
  const keyed = c.has("peer_pubkeys")
    ? new Set(timed(c.timings, "peer_pubkeys", () => c.db.prepare(`SELECT DISTINCT peername FROM peer_pubkeys`).pluck().all() as string[]))
    : new Set<string>();
  return rows.map((row) => {
    const pendingSql = `SELECT count(*) FROM local_threepid_associations WHERE id > ?`;
    const pendingRows = c.has("local_threepid_associations") ? scalar(c, `pending rows for ${row.name}`, pendingSql, row.lastSentVersion ?? 0) : 0;
    return peerStatus(row, { newestLocalId, pendingRows, hasPublicKey: keyed.has(row.name), now });
  });
}

async function gather(c: Ctx, opts: OverviewOptions): Promise<OverviewData> {
  const local = c.has("local_threepid_associations");
  const newestLocalId = local ? scalar(c, "newest local id", `SELECT max(id) FROM local_threepid_associations`) : 0;
  const tombstones = local ? scalar(c, "tombstones", `SELECT count(*) FROM local_threepid_associations WHERE mxid IS NULL`) : 0;
  const data = {
    counts: counts(c),
    pepperPresent: pepperPresent(c),
    newestLocalId,
    tombstones,
    globalByOrigin: globalByOrigin(c),
    peers: peers(c, newestLocalId, opts.now ?? Date.now()),
    sgAssocWithInvites: opts.skipInviteScan ? null : c.has("global_threepid_associations") ? await countSgAssocWithInvites(c.db, c.timings) : 0,
  };
  const liveLocalRows = (data.counts.local_threepid_associations ?? 0) - tombstones;
  return { ...data, liveLocalRows, warnings: sanityWarnings({ ...data, liveLocalRows, serverName: opts.serverName }) };
}

/** Inspection plus counts and replication state. Never throws. */
export async function sydentOverview(file: string, opts: OverviewOptions = {}): Promise<OverviewResult> {
  const inspection = inspectSydentDb(file, opts);
  if (!inspection.ok) return inspection;
  const timings = [...inspection.timings];
  try {
    const names = new Set(inspection.tables.map((t) => t.name));
    const data = await gather({ db: sydentRaw(file, opts), timings, has: (t) => names.has(t) }, opts);
    return { ok: true, inspection, timings, ...data };
  } catch (e) {
    return { ok: false, file, error: classifyError(e, file, busyTimeoutMs(opts)), timings };
  }
}
