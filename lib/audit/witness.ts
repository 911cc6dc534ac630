import type crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { ConsoleDb } from "@/lib/db";
import { parsePublicKey } from "@/lib/audit/checkpoint-key";
import { foldRootBin, FrontierBin, leafHashBin } from "@/lib/audit/hash-core.mjs";
import { verifyConsistency } from "@/lib/audit/merkle";
import { sthFromRow, sthSignatureProblem, type SignedTreeHead } from "@/lib/audit/sth";
import { consistencyProofHex } from "@/lib/audit/tree-store";
import { sqliteEntryHashes } from "@/lib/audit/sqlite-rows";
import { chunksInOrder, sqliteSeqRange, type ParallelOptions } from "@/lib/audit/verify-parallel";
import { loadWitnessDir, PINNED_KEY_FILE, readPinnedKey, writeWitnessRecord, type WitnessedHead } from "@/lib/audit/witness-store";

// audit:witness, run from an auditor's machine against the console database (a read-only role
// is enough; nothing is written to the database). Each run:
//   1. loads every head stored in the witness directory (and the pinned key);
//   2. fetches the latest signed tree head (the checkpoint with the highest seq and a root);
//   3. checks its signature against the pinned key (pinned on the first run if not given);
//   4. checks, with an RFC 6962 consistency proof built by the database and verified here, that
//      every stored head is a prefix of the latest one, and that no stored head is larger;
//   5. reads the entries' hashes (one column, keyset pages) and recomputes the tree itself: every
//      stored head's root and the latest head's root must be the roots of the entries as they are
//      now (this also catches rewrites that left the subtree cache untouched); the resulting
//      (size, root) is stored as the "observed" head, pinning entries not yet sealed;
//   6. stores the new record, or fails loudly (nothing stored) naming every inconsistency.

export type WitnessProblem = { reason: string; detail: string };
export type WitnessReport = {
  ok: boolean;
  latest: SignedTreeHead | null;
  observed: { size: number; root: string } | null;
  storedHeads: number;
  problems: WitnessProblem[];
  stored: string | null;
  pinnedKeyFile: string;
  firstRun: boolean;
};

async function* entryHashes(client: ConsoleDb, pageSize = 20_000): AsyncGenerator<{ seq: number; hash: string }> {
  let after = 0;
  for (;;) {
    const rows = await client.$queryRaw<{ seq: number | bigint; hash: string }[]>`
      SELECT "seq", "hash" FROM "AccessLogEntry" WHERE "seq" > ${after} ORDER BY "seq" LIMIT ${pageSize}`;
    for (const r of rows) yield { seq: Number(r.seq), hash: r.hash };
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1].seq);
  }
}

/**
 * The SQLite fast path of step 5: the tree of every entry's stored hash, built in parallel chunks
 * (lib/audit/verify-chunk.mjs, mode "tree") into `f`, with checkUpTo called as the sequential loop
 * calls it at each size a check needs. False, with nothing done, unless the rows are exactly seq
 * 1..max (the caller then reads them sequentially, which also finds the gap).
 */
async function treeInChunks(file: string, parallel: ParallelOptions, f: FrontierBin, sizes: number[], checkUpTo: (size: number, rootBin: () => string) => void): Promise<boolean> {
  const range = sqliteSeqRange(file, "tree");
  if (!range || range.min !== 1) return false;
  const wanted = [...new Set(sizes.filter((s) => Number.isInteger(s)))].sort((a, b) => a - b);
  const done: { size: number; rootBin: () => string }[] = [];
  for await (const { result: c } of chunksInOrder(file, range.max, parallel, async (from, to) => ({
    job: { mode: "tree", from, to, sizes: wanted.filter((s) => s >= from && s <= to) },
    extra: null,
  }))) {
    if (!c.contiguous) return false;
    const before = [...f.hashes];
    for (const a of c.at) done.push({ size: a.size, rootBin: () => foldRootBin([...before, ...a.hashes]) });
    for (let k = 0; k < c.levels.length; k++) f.pushSubtree(c.levels[k], c.hashes[k]);
  }
  // Only now, with every chunk contiguous, are the checks run (in size order, as the loop would).
  for (const d of done) checkUpTo(d.size, d.rootBin);
  checkUpTo(f.size, () => f.rootBin());
  return true;
}

export async function runWitness(client: ConsoleDb, dir: string, givenKey?: crypto.KeyObject, sqliteFile?: string, parallel: ParallelOptions = {}): Promise<WitnessReport> {
  fs.mkdirSync(dir, { recursive: true });
  const keyFile = path.join(dir, PINNED_KEY_FILE);
  const storedKey = readPinnedKey(dir);
  const problems: WitnessProblem[] = [];
  const fail = (reason: string, detail: string) => problems.push({ reason, detail });
  if (givenKey && storedKey && !givenKey.equals(storedKey)) {
    fail("pinned key differs", `--public-key is not the key pinned in ${keyFile}`);
  }
  const pinned = givenKey ?? storedKey; // none: trust the first head's key on first use, then pin it
  const stored: WitnessedHead[] = loadWitnessDir(dir, pinned);
  const firstRun = stored.length === 0;

  const row = await client.accessLogCheckpoint.findFirst({ where: { root: { not: null } }, orderBy: [{ seq: "desc" }, { id: "desc" }] });
  const latest = row ? sthFromRow(row) : null;
  if (!latest) {
    fail("no signed tree head", firstRun ? "the log has no signed tree head yet: run audit:seal" : "the log has no signed tree head, but this witness stored heads before: checkpoints were deleted");
  } else {
    const bad = sthSignatureProblem(latest, pinned ?? undefined);
    if (bad) fail("signature", `latest tree head (size ${latest.size}): ${bad}`);
  }

  // 4. Consistency proofs from the database, verified here.
  if (latest) {
    for (const h of stored.filter((s) => s.kind === "signed")) {
      if (h.size > latest.size) {
        fail("log shrank", `the latest signed head covers ${latest.size} entries; the head witnessed at ${h.witnessedAt} (${h.source}) covered ${h.size}`);
        continue;
      }
      let proof: Buffer[] = [];
      try {
        proof = (await consistencyProofHex(client, h.size, latest.size, false)).map((x) => Buffer.from(x, "hex"));
      } catch (e) {
        fail("inconsistent", `no consistency proof from ${h.size} to ${latest.size}: ${(e as Error).message}`);
        continue;
      }
      if (!verifyConsistency(h.size, latest.size, Buffer.from(h.root, "hex"), Buffer.from(latest.root, "hex"), proof)) {
        fail("inconsistent", `the latest signed head (size ${latest.size}) is not an extension of the head witnessed at ${h.witnessedAt} (${h.source}, size ${h.size}): history was rewritten`);
      }
    }
  }

  // 5. Recompute the tree from the entries themselves.
  const checks = [...stored, ...(latest ? [{ kind: "signed" as const, size: latest.size, root: latest.root, witnessedAt: "now", source: "latest signed head" }] : [])]
    .sort((a, b) => a.size - b.size);
  const f = new FrontierBin();
  let i = 0;
  const hex = (bin: string) => Buffer.from(bin, "latin1").toString("hex");
  /** Every check of size <= size (the tree now has `size` leaves) is done; those of exactly that size are compared. */
  const checkUpTo = (size: number, rootBin: () => string) => {
    for (; i < checks.length && checks[i].size <= size; i++) {
      if (checks[i].size === size && hex(rootBin()) !== checks[i].root) {
        const c = checks[i];
        fail("inconsistent", c.source === "latest signed head"
          ? `the entries 1..${c.size} are not the ones the latest signed head covers: entries were changed after sealing`
          : `the entries 1..${c.size} are not the ones in the ${c.kind} head witnessed at ${c.witnessedAt} (${c.source})`);
      }
    }
  };
  let gap: number | null = null;
  const chunked = !!sqliteFile && parallel.workers !== -1 && (await treeInChunks(sqliteFile, parallel, f, checks.map((c) => c.size), checkUpTo));
  if (sqliteFile) parallel.onPath?.(chunked ? "chunks" : "sequential");
  if (!chunked) {
    let expected = 1;
    for await (const e of sqliteFile ? sqliteEntryHashes(sqliteFile) : entryHashes(client)) {
      if (e.seq !== expected && gap === null) gap = expected;
      expected = e.seq + 1;
      f.push(leafHashBin(e.hash));
      checkUpTo(f.size, () => f.rootBin());
    }
  }
  if (gap !== null) fail("gap", `entry seq ${gap} is missing`);
  for (; i < checks.length; i++) {
    if (checks[i].size > 0) fail("log shrank", `the log holds ${f.size} entries; the ${checks[i].kind} head from ${checks[i].witnessedAt} (${checks[i].source}) covered ${checks[i].size}`);
  }
  const observed = { size: f.size, root: hex(f.rootBin()) };

  const ok = problems.length === 0;
  let file: string | null = null;
  if (ok) {
    if (!storedKey && latest) fs.writeFileSync(keyFile, (pinned ?? parsePublicKey(latest.publicKey)).export({ format: "pem", type: "spki" }) as string);
    file = writeWitnessRecord(dir, { witnessedAt: new Date().toISOString(), sth: latest, observed });
  }
  return { ok, latest, observed, storedHeads: stored.length, problems, stored: file, pinnedKeyFile: keyFile, firstRun };
}
