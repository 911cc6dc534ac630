import type Database from "better-sqlite3";
import { casefold } from "@/lib/sydent/normalise";
import { chunkedScan, chunks, placeholders, type StatementTimer } from "@/lib/subjects/search-scan";
import type { EmbeddedFinding, Medium } from "@/lib/subjects/types";

// Other people's global rows whose signed association (sgAssoc) embeds this subject's data:
// Sydent 2.5.0-2.7.0's shared-dict bug copies delivered invites (invitee address and mxid,
// sender mxid, room, token) into every later association (sydent.md 2.1).
//
// Finding them needs a full scan of sgAssoc, the table's largest column. Sydent never updates
// sgAssoc in place (INSERT OR IGNORE / DELETE, AUTOINCREMENT ids), so the scan is incremental and
// kept per connection (a replaced file gets a new connection): only ids above the last scanned one
// are read again. What is kept is an index from what each row embeds (invitee address, invitee
// and sender Matrix IDs) to the row ids, so a search reads only the rows that can match its
// needles (usually none) and parses their JSON to confirm: LIKE alone is never trusted. Ids of
// rows deleted since (unbinds, erasures) simply read back nothing.

type EmbedIndex = { maxScanned: number; byKey: Map<string, number[]> };
const g = globalThis as unknown as { custodianSgAssocEmbedIndex?: WeakMap<Database.Database, EmbedIndex> };
const indexes = (g.custodianSgAssocEmbedIndex ??= new WeakMap());

const HAS_INVITES = `sgAssoc LIKE '%"invites"%' AND json_valid(sgAssoc)
  AND coalesce(json_array_length(sgAssoc, '$.invites'), 0) > 0`;

const addressKey = (medium: unknown, address: string) => `a:${medium === "msisdn" ? "msisdn" : "email"}:${canon(medium, address)}`;
const mxidKey = (mxid: string) => `m:${mxid}`;

/** The index keys one sgAssoc's invites embed. */
function embedKeys(sgAssoc: string): string[] {
  let parsed: { invites?: unknown };
  try {
    parsed = JSON.parse(sgAssoc);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed.invites)) return [];
  const keys = new Set<string>();
  for (const inv of parsed.invites as Invite[]) {
    if (!inv || typeof inv !== "object") continue;
    const address = str(inv.address);
    if (address) keys.add(addressKey(inv.medium, address));
    for (const m of [str(inv.mxid), str(inv.signed?.mxid), str(inv.sender), str(inv.signed?.sender)]) if (m) keys.add(mxidKey(m));
  }
  return [...keys];
}

/** The per-connection index of embedded data, brought up to date incrementally. */
export async function embedIndex(db: Database.Database, timer: StatementTimer): Promise<EmbedIndex> {
  const top = timer.run("sgAssoc max id", () => (db.prepare("SELECT max(id) AS m FROM global_threepid_associations").get() as { m: number | null }).m ?? 0);
  let idx = indexes.get(db);
  if (!idx || top < idx.maxScanned) {
    idx = { maxScanned: Number.MIN_SAFE_INTEGER, byKey: new Map() };
    indexes.set(db, idx);
  }
  if (top > idx.maxScanned) {
    const byKey = idx.byKey;
    await chunkedScan<{ id: number; sgAssoc: string }>(db, timer, {
      table: "global_threepid_associations",
      columns: "id, sgAssoc",
      where: `id <= ? AND ${HAS_INVITES}`,
      params: [top],
      dense: true, label: "sgAssoc invites scan",
      after: idx.maxScanned,
      onRows: (rows) => {
        for (const r of rows as { id: number; sgAssoc: string }[]) {
          for (const k of embedKeys(r.sgAssoc)) {
            const list = byKey.get(k);
            if (list) list.push(r.id);
            else byKey.set(k, [r.id]);
          }
        }
      },
    });
    idx.maxScanned = top;
  }
  return idx;
}

/** Ids of global rows whose sgAssoc embeds one of these needles (candidates: confirmed by matchRow). */
export async function candidateIds(db: Database.Database, timer: StatementTimer, needles: Needles): Promise<number[]> {
  const idx = await embedIndex(db, timer);
  const ids = new Set<number>();
  for (const a of needles.addresses) {
    const [medium, ...rest] = a.split(":");
    for (const id of idx.byKey.get(addressKey(medium, rest.join(":"))) ?? []) ids.add(id);
  }
  for (const m of needles.mxids) for (const id of idx.byKey.get(mxidKey(m)) ?? []) ids.add(id);
  return [...ids].sort((x, y) => x - y);
}

type Invite = { medium?: unknown; address?: unknown; mxid?: unknown; sender?: unknown; room_id?: unknown; signed?: { mxid?: unknown; sender?: unknown } };
type Row = { id: number; medium: Medium; address: string; mxid: string; originServer: string; sgAssoc: string };

export type Needles = { addresses: Set<string>; mxids: Set<string> };

const str = (v: unknown) => (typeof v === "string" ? v : null);
const canon = (medium: unknown, address: string) => (medium === "msisdn" ? address.replace(/\D/g, "") : casefold(address));

function matchRow(row: Row, needles: Needles): EmbeddedFinding | null {
  let parsed: { invites?: unknown };
  try {
    parsed = JSON.parse(row.sgAssoc);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed.invites)) return null;
  const embeds = new Set<"address" | "mxid">();
  const presentAs = new Set<"invitee" | "sender">();
  const rooms = new Set<string>();
  for (const inv of parsed.invites as Invite[]) {
    if (!inv || typeof inv !== "object") continue;
    const address = str(inv.address);
    const inviteeMxids = [str(inv.mxid), str(inv.signed?.mxid)];
    const senders = [str(inv.sender), str(inv.signed?.sender)];
    let hit = false;
    if (address && needles.addresses.has(`${inv.medium === "msisdn" ? "msisdn" : "email"}:${canon(inv.medium, address)}`)) {
      embeds.add("address");
      presentAs.add("invitee");
      hit = true;
    }
    if (inviteeMxids.some((m) => m && needles.mxids.has(m))) {
      embeds.add("mxid");
      presentAs.add("invitee");
      hit = true;
    }
    if (senders.some((m) => m && needles.mxids.has(m))) {
      embeds.add("mxid");
      presentAs.add("sender");
      hit = true;
    }
    const room = str(inv.room_id);
    if (hit && room) rooms.add(room);
  }
  if (embeds.size === 0) return null;
  return {
    globalId: row.id,
    rowMedium: row.medium,
    rowAddress: row.address,
    rowMxid: row.mxid,
    originServer: row.originServer,
    embeds: [...embeds].sort(),
    presentAs: [...presentAs].sort(),
    inviteRoomIds: [...rooms].sort(),
  };
}

/** Rows of OTHER people (not bound to one of the subject's addresses or mxids) embedding the subject. */
export async function findEmbedded(db: Database.Database, timer: StatementTimer, needles: Needles): Promise<EmbeddedFinding[]> {
  if (needles.addresses.size === 0 && needles.mxids.size === 0) return [];
  const ids = await candidateIds(db, timer, needles);
  const out: EmbeddedFinding[] = [];
  for (const part of chunks(ids)) {
    const rows = timer.run("sgAssoc rows with invites", () =>
      db
        .prepare(`SELECT id, medium, address, mxid, originServer, sgAssoc FROM global_threepid_associations WHERE id IN (${placeholders(part.length)})`)
        .all(...part) as Row[],
    );
    for (const row of rows) {
      const own = needles.mxids.has(row.mxid) || needles.addresses.has(`${row.medium}:${canon(row.medium, row.address)}`);
      if (own) continue;
      const hit = matchRow(row, needles);
      if (hit) out.push(hit);
    }
  }
  return out.sort((a, b) => a.globalId - b.globalId);
}
