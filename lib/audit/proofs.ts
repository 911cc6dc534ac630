import type { ConsoleDb } from "@/lib/db";
import { sthFromRow, type SignedTreeHead } from "@/lib/audit/sth";
import { consistencyProofHex, inclusionProofHex } from "@/lib/audit/tree-store";
import type { CheckpointRow } from "@/lib/audit/checkpoint";
import { sqliteReader } from "@/lib/audit/sqlite-reader";
import { toDate } from "@/lib/audit/sqlite-rows";

// What the auditor role is served (route handlers under app/api/audit and audit:proof). Proofs are
// only offered up to a signed tree head's size, so a client can check them against a signature:
// the default is the latest head; another size must be the size of some signed head.

export class ProofError extends Error {}

// On a SQLite file (lib/audit/sqlite-reader.ts) each of these reads is one index seek, read
// directly: a proof is then well under a millisecond of database work instead of four Prisma
// round trips. Rows are read as Prisma reads them (DateTime stored as ISO text or unix ms).
type RawCheckpoint = Omit<CheckpointRow, "sealedAt"> & { sealedAt: unknown };
const CHECKPOINT = `SELECT "id", "seq", "hash", "sealedAt", "keyId", "publicKey", "signature", "sealedBy", "root" FROM "AccessLogCheckpoint"`;
const toCheckpoint = (r: RawCheckpoint | undefined): CheckpointRow | null => (r ? { ...r, sealedAt: toDate(r.sealedAt) } : null);

export async function latestSth(client: ConsoleDb): Promise<SignedTreeHead | null> {
  const direct = sqliteReader(client);
  const row = direct
    ? toCheckpoint(direct.get<RawCheckpoint>(`${CHECKPOINT} WHERE "root" IS NOT NULL ORDER BY "seq" DESC, "id" DESC LIMIT 1`))
    : await client.accessLogCheckpoint.findFirst({ where: { root: { not: null } }, orderBy: [{ seq: "desc" }, { id: "desc" }] });
  return row ? sthFromRow(row) : null;
}

async function headOfSize(client: ConsoleDb, size: number): Promise<CheckpointRow | null> {
  const direct = sqliteReader(client);
  return direct
    ? toCheckpoint(direct.get<RawCheckpoint>(`${CHECKPOINT} WHERE "seq" = ? AND "root" IS NOT NULL ORDER BY "id" DESC LIMIT 1`, size))
    : client.accessLogCheckpoint.findFirst({ where: { seq: size, root: { not: null } }, orderBy: { id: "desc" } });
}

async function entryHashAt(client: ConsoleDb, seq: number): Promise<string | null> {
  const direct = sqliteReader(client);
  if (direct) return direct.value<string>(`SELECT "hash" FROM "AccessLogEntry" WHERE "seq" = ?`, seq) ?? null;
  return (await client.accessLogEntry.findUnique({ where: { seq }, select: { hash: true } }))?.hash ?? null;
}

async function sthOfSize(client: ConsoleDb, size: number | undefined): Promise<SignedTreeHead> {
  if (size === undefined) {
    const l = await latestSth(client);
    if (!l) throw new ProofError("the log has no signed tree head yet");
    return l;
  }
  const row = await headOfSize(client, size);
  if (!row) throw new ProofError(`no signed tree head of size ${size}`);
  return sthFromRow(row);
}

export async function proveConsistency(client: ConsoleDb, first: number, second?: number) {
  const sth = await sthOfSize(client, second);
  if (first < 1 || first > sth.size) throw new ProofError(`--first must be between 1 and ${sth.size}`);
  const firstRow = await headOfSize(client, first);
  return {
    first,
    second: sth.size,
    firstSth: firstRow ? sthFromRow(firstRow) : null,
    sth,
    proof: await consistencyProofHex(client, first, sth.size),
  };
}

export async function proveInclusion(client: ConsoleDb, seq: number, size?: number) {
  const sth = await sthOfSize(client, size);
  if (seq < 1 || seq > sth.size) throw new ProofError(`entry ${seq} is not covered by the signed head of size ${sth.size}`);
  const entryHash = await entryHashAt(client, seq);
  if (entryHash === null) throw new ProofError(`no entry ${seq}`);
  return { seq, leafIndex: seq - 1, entryHash, sth, proof: await inclusionProofHex(client, seq, sth.size) };
}
