import type { ConsoleDb } from "@/lib/db";
import { sthFromRow, type SignedTreeHead } from "@/lib/audit/sth";
import { consistencyProofHex, inclusionProofHex } from "@/lib/audit/tree-store";

// What the auditor role is served (route handlers under app/api/audit and audit:proof). Proofs are
// only offered up to a signed tree head's size, so a client can check them against a signature:
// the default is the latest head; another size must be the size of some signed head.

export class ProofError extends Error {}

export async function latestSth(client: ConsoleDb): Promise<SignedTreeHead | null> {
  const row = await client.accessLogCheckpoint.findFirst({ where: { root: { not: null } }, orderBy: [{ seq: "desc" }, { id: "desc" }] });
  return row ? sthFromRow(row) : null;
}

async function sthOfSize(client: ConsoleDb, size: number | undefined): Promise<SignedTreeHead> {
  if (size === undefined) {
    const l = await latestSth(client);
    if (!l) throw new ProofError("the log has no signed tree head yet");
    return l;
  }
  const row = await client.accessLogCheckpoint.findFirst({ where: { seq: size, root: { not: null } }, orderBy: { id: "desc" } });
  if (!row) throw new ProofError(`no signed tree head of size ${size}`);
  return sthFromRow(row);
}

export async function proveConsistency(client: ConsoleDb, first: number, second?: number) {
  const sth = await sthOfSize(client, second);
  if (first < 1 || first > sth.size) throw new ProofError(`--first must be between 1 and ${sth.size}`);
  const firstRow = await client.accessLogCheckpoint.findFirst({ where: { seq: first, root: { not: null } } });
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
  const entry = await client.accessLogEntry.findUnique({ where: { seq }, select: { hash: true } });
  if (!entry) throw new ProofError(`no entry ${seq}`);
  return { seq, leafIndex: seq - 1, entryHash: entry.hash, sth, proof: await inclusionProofHex(client, seq, sth.size) };
}
