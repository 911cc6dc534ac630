import type crypto from "node:crypto";
import type { ConsoleDb } from "@/lib/db";
import { entryHash, GENESIS_HASH, type ChainFields } from "@/lib/audit/chain";
import { isCheckpointSignatureValid, type CheckpointRow } from "@/lib/audit/checkpoint";
import { keyIdOf, parsePublicKey, rawPublicKey } from "@/lib/audit/checkpoint-key";
import { leafHash, MerkleFrontier } from "@/lib/audit/merkle";
import type { WitnessedHead } from "@/lib/audit/witness-store";
import { WitnessedHeadsCheck } from "@/lib/audit/verify-witnessed";
import { sqliteEntries } from "@/lib/audit/sqlite-rows";

// Verifies the whole access log offline, against any console database (SQLite or PostgreSQL),
// in constant memory: entries are read in pages by seq (keyset, never OFFSET) and checkpoints in
// (seq, id) order alongside them. Checks, in seq order:
//   - seq starts at 1 and is contiguous ("gap: seq N missing", "unexpected seq");
//   - each entry's hash equals SHA-256 of its canonical serialisation ("hash mismatch");
//   - each prevHash is the previous entry's stored hash ("prevHash does not link");
//   - each checkpoint: well-formed public key, keyId = first 16 hex of SHA-256(raw key), equal to
//     the pinned key if one is given, a valid Ed25519 signature, and (seq, hash) equal to the
//     entry at seq ("checkpoint ...");
//   - each "accessLog.seal" entry has its checkpoint ("seal entry without checkpoint"), so deleting
//     checkpoint rows is noticed;
//   - the AccessLogHead row names the last entry ("head mismatch");
//   - each version-2 checkpoint (a signed tree head) has the RFC 6962 root of entries 1..seq,
//     computed here from the entries with a streaming frontier ("checkpoint root mismatch");
//   - with witnessed heads (--witness-dir): the log still holds each head's size ("log shrank
//     below a witnessed head") and its root at that size is the witnessed root ("inconsistent with
//     a witnessed head"); with a pinned key, a log without any signed checkpoint fails ("no
//     signed checkpoint").
// The result lists the first 100 problems; firstBroken is the one with the lowest seq.

export type Problem = { seq: number; reason: string; detail?: string; checkpointId?: number };

export type VerifyResult = {
  ok: boolean;
  entries: number;
  checkpoints: number;
  head: { seq: number; hash: string } | null;
  firstBroken: Problem | null;
  problems: Problem[];
  problemCount: number;
  /** The last checkpoint that passed every check: the log is proven intact up to its seq. */
  lastCheckpoint: { seq: number; hash: string; sealedAt: string; keyId: string; sealedBy: string } | null;
  /** Signing keys seen, so an auditor notices an unexpected one even without pinning. */
  keys: { keyId: string; publicKey: string; checkpoints: number }[];
  pinnedKeyId: string | null;
  /** Witnessed heads checked (--witness-dir) and the newest one's time. */
  witness: { heads: number; newestSize: number; newestWitnessedAt: string | null } | null;
  warnings: string[];
  durationMs: number;
};

export type VerifyOptions = {
  /** Pinned public key: SPKI PEM or base64 raw 32 bytes (the checkpoint key's .pub file). */
  publicKey?: string;
  pageSize?: number;
  /** Heads kept by witnesses (lib/audit/witness-store.ts), already signature-checked or observed. */
  witnessed?: WitnessedHead[];
  /** Warn when the newest witnessed head is older than this (ms). */
  maxWitnessAgeMs?: number;
  /** The SQLite file behind `client`: entries are then streamed directly (lib/audit/sqlite-rows.ts). */
  sqliteFile?: string;
};

type EntryRow = ChainFields & { hash: string };

async function* paged<T>(fetchPage: (after: T | null) => Promise<T[]>, pageSize: number): AsyncGenerator<T> {
  let after: T | null = null;
  for (;;) {
    const rows = await fetchPage(after);
    for (const r of rows) yield r;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1];
  }
}

export async function verifyAccessLog(client: ConsoleDb, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const started = Date.now();
  const pageSize = opts.pageSize ?? 5000;
  const pinned = opts.publicKey ? rawPublicKey(parsePublicKey(opts.publicKey)).toString("base64") : null;
  const problems: Problem[] = [];
  let problemCount = 0;
  let firstBroken: Problem | null = null;
  const report = (p: Problem) => {
    problemCount++;
    if (problems.length < 100) problems.push(p);
    if (!firstBroken || p.seq < firstBroken.seq) firstBroken = p;
  };

  const keyObjects = new Map<string, crypto.KeyObject | null>();
  const keys = new Map<string, { keyId: string; publicKey: string; checkpoints: number }>();
  let checkpointCount = 0;
  let lastCheckpoint: VerifyResult["lastCheckpoint"] = null;

  const checkCheckpoint = (cp: CheckpointRow, entry: EntryRow | null): boolean => {
    checkpointCount++;
    const fail = (reason: string, detail?: string) => (report({ seq: cp.seq, reason, detail, checkpointId: cp.id }), false);
    if (!keyObjects.has(cp.publicKey)) {
      let k: crypto.KeyObject | null = null;
      try { k = parsePublicKey(cp.publicKey); } catch { k = null; }
      if (keyObjects.size > 1000) keyObjects.clear(); // bounded memory even if every row differs
      keyObjects.set(cp.publicKey, k);
    }
    const key = keyObjects.get(cp.publicKey);
    if (!key) return fail("checkpoint public key invalid");
    const raw = rawPublicKey(key);
    const rawB64 = raw.toString("base64");
    if (keyIdOf(raw) !== cp.keyId) return fail("checkpoint keyId mismatch", `keyId ${cp.keyId} is not the key's id ${keyIdOf(raw)}`);
    if (keys.size < 100) {
      const k = keys.get(cp.keyId) ?? { keyId: cp.keyId, publicKey: rawB64, checkpoints: 0 };
      k.checkpoints++;
      keys.set(cp.keyId, k);
    }
    if (pinned && rawB64 !== pinned) return fail("checkpoint key not pinned", `signed with key ${cp.keyId}, not the pinned key`);
    if (!isCheckpointSignatureValid(cp, key)) return fail("checkpoint signature invalid");
    if (!entry) return fail("checkpoint entry missing", `no entry with seq ${cp.seq}`);
    if (entry.hash !== cp.hash) {
      const since = lastCheckpoint ? ` after the checkpoint at seq ${lastCheckpoint.seq}` : "";
      return fail("checkpoint hash mismatch", `the entry at seq ${cp.seq} is not the one sealed: entries${since} were rewritten`);
    }
    if (cp.root && frontier.size === cp.seq && frontier.root().toString("hex") !== cp.root) {
      return fail("checkpoint root mismatch", `the tree of entries 1..${cp.seq} is not the one this head signed`);
    }
    lastCheckpoint = { seq: cp.seq, hash: cp.hash, sealedAt: cp.sealedAt.toISOString(), keyId: cp.keyId, sealedBy: cp.sealedBy };
    return true;
  };

  const entries = opts.sqliteFile ? sqliteEntries(opts.sqliteFile) : paged<EntryRow>(
    (after) => client.accessLogEntry.findMany({ where: after ? { seq: { gt: after.seq } } : {}, orderBy: { seq: "asc" }, take: pageSize }),
    pageSize,
  );
  const checkpoints = paged<CheckpointRow>(
    (after) =>
      client.accessLogCheckpoint.findMany({
        where: after ? { OR: [{ seq: { gt: after.seq } }, { seq: after.seq, id: { gt: after.id } }] } : {},
        orderBy: [{ seq: "asc" }, { id: "asc" }],
        take: pageSize,
      }),
    pageSize,
  );
  let cp = (await checkpoints.next()).value ?? null;
  const nextCp = async () => (cp = (await checkpoints.next()).value ?? null);

  const frontier = new MerkleFrontier();
  const witnessed = new WitnessedHeadsCheck(opts.witnessed ?? [], report);

  let prev = { seq: 0, hash: GENESIS_HASH };
  let entryCount = 0;
  for await (const e of entries) {
    entryCount++;
    frontier.push(leafHash(e.hash));
    witnessed.atSize(frontier);
    const expected = prev.seq + 1;
    let linked = true;
    if (e.seq < expected) {
      report({ seq: e.seq, reason: "unexpected seq", detail: `seq ${e.seq} after seq ${prev.seq}` });
      linked = false;
    } else if (e.seq > expected) {
      const range = e.seq - 1 > expected ? `${expected}..${e.seq - 1}` : `${expected}`;
      report({ seq: expected, reason: `gap: seq ${range} missing` });
      linked = false;
    }
    if (entryHash(e) !== e.hash) report({ seq: e.seq, reason: "hash mismatch" });
    if (linked && e.prevHash !== prev.hash) report({ seq: e.seq, reason: "prevHash does not link" });

    while (cp && cp.seq < e.seq) (checkCheckpoint(cp, null), await nextCp());
    let sealed = false;
    while (cp && cp.seq === e.seq) (checkCheckpoint(cp, e), (sealed = true), await nextCp());
    if (e.action === "accessLog.seal" && e.outcome === "ok" && !sealed) {
      report({ seq: e.seq, reason: "seal entry without checkpoint", detail: "its checkpoint row is missing" });
    }
    prev = { seq: e.seq, hash: e.hash };
  }
  while (cp) (checkCheckpoint(cp, null), await nextCp());

  witnessed.finish(frontier);
  if (pinned && checkpointCount === 0) {
    report({ seq: 0, reason: "no signed checkpoint", detail: entryCount ? `${entryCount} entries, none sealed` : "the log is empty" });
  }
  const warnings = opts.witnessed ? witnessed.warnings(opts.maxWitnessAgeMs ?? 24 * 3600_000) : [];

  const head = await client.accessLogHead.findUnique({ where: { id: 1 } });
  if (!head) report({ seq: prev.seq + 1, reason: "head mismatch", detail: "the AccessLogHead row is missing" });
  else if (head.seq < prev.seq) {
    report({ seq: head.seq + 1, reason: "head mismatch", detail: `head is at seq ${head.seq} but entries run to seq ${prev.seq}` });
  } else if (head.seq > prev.seq) {
    report({ seq: prev.seq + 1, reason: "head mismatch", detail: `head is at seq ${head.seq} but the last entry is seq ${prev.seq}` });
  } else if (head.hash !== prev.hash) {
    report({ seq: prev.seq, reason: "head mismatch", detail: `head hash differs from entry ${prev.seq}'s hash` });
  }

  return {
    ok: problemCount === 0,
    entries: entryCount,
    checkpoints: checkpointCount,
    head: head ? { seq: head.seq, hash: head.hash } : null,
    firstBroken,
    problems,
    problemCount,
    lastCheckpoint,
    keys: [...keys.values()],
    pinnedKeyId: pinned ? keyIdOf(Buffer.from(pinned, "base64")) : null,
    witness: opts.witnessed ? witnessed.summary() : null,
    warnings,
    durationMs: Date.now() - started,
  };
}

/** What an "accessLog.verify" entry records about a run (no personal data; counts and seqs). */
export function verifyLogDetails(r: VerifyResult): Record<string, unknown> {
  return {
    ok: r.ok,
    entries: r.entries,
    checkpoints: r.checkpoints,
    problemCount: r.problemCount,
    firstBroken: r.firstBroken,
    lastCheckpointSeq: r.lastCheckpoint?.seq ?? null,
    pinnedKeyId: r.pinnedKeyId,
  };
}
