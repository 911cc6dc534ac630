import type crypto from "node:crypto";
import type { ConsoleDb } from "@/lib/db";
import { entryHash, GENESIS_HASH, type ChainFields } from "@/lib/audit/chain";
import { isCheckpointSignatureValid, type CheckpointRow } from "@/lib/audit/checkpoint";
import { keyIdOf, parsePublicKey, rawPublicKey } from "@/lib/audit/checkpoint-key";
import { foldRootBin, FrontierBin, leafHashBin } from "@/lib/audit/hash-core.mjs";
import type { WitnessedHead } from "@/lib/audit/witness-store";
import { WitnessedHeadsCheck } from "@/lib/audit/verify-witnessed";
import { ENTRY_COLUMNS, sqliteEntries, toEntryRow } from "@/lib/audit/sqlite-rows";
import { chunksInOrder, sqliteSeqRange, type ParallelOptions } from "@/lib/audit/verify-parallel";
import Database from "better-sqlite3";

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
  /**
   * The SQLite file behind `client`: entries are then read directly, in parallel chunks
   * (lib/audit/verify-chunk.mjs; `workers` threads, 0 = in this thread, `chunkSize`), or streamed
   * sequentially with workers = -1.
   */
  sqliteFile?: string;
} & ParallelOptions;

type EntryRow = ChainFields & { hash: string };

/** Keyset pages; the next page is requested before this one is handed out, so the database works while we hash. */
async function* paged<T>(fetchPage: (after: T | null) => Promise<T[]>, pageSize: number): AsyncGenerator<T> {
  let page: Promise<T[]> | null = fetchPage(null);
  while (page) {
    const rows: T[] = await page;
    page = rows.length < pageSize ? null : fetchPage(rows[rows.length - 1]);
    page?.catch(() => {}); // awaited on the next turn; a failure then must not count as unhandled now
    for (const r of rows) yield r;
  }
}

/** Checkpoints in (seq, id) order, read ahead by seq. */
class CheckpointReader {
  private buffered: CheckpointRow | null = null;
  private done = false;
  constructor(private rows: AsyncGenerator<CheckpointRow>) {}
  async peek(): Promise<CheckpointRow | null> {
    if (!this.buffered && !this.done) {
      const n = await this.rows.next();
      if (n.done) this.done = true;
      else this.buffered = n.value;
    }
    return this.buffered;
  }
  async take(): Promise<CheckpointRow | null> {
    const cp = await this.peek();
    this.buffered = null;
    return cp;
  }
  /** Every remaining checkpoint with seq <= seq. */
  async takeUpTo(seq: number): Promise<CheckpointRow[]> {
    const out: CheckpointRow[] = [];
    for (let cp = await this.peek(); cp && cp.seq <= seq; cp = await this.peek()) out.push((await this.take())!);
    return out;
  }
}

/** What a tree-root check sees: the size of the tree so far and, lazily, its root. */
type TreeView = { size: number; root(): Buffer };

/** One verification's findings and the checks every path shares. */
class Run {
  problems: Problem[] = [];
  problemCount = 0;
  firstBroken: Problem | null = null;
  keyObjects = new Map<string, crypto.KeyObject | null>();
  keys = new Map<string, { keyId: string; publicKey: string; checkpoints: number }>();
  checkpointCount = 0;
  lastCheckpoint: VerifyResult["lastCheckpoint"] = null;
  frontier = new FrontierBin();
  witnessed: WitnessedHeadsCheck;
  prev: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH };
  entryCount = 0;
  checkpoints: CheckpointReader;

  constructor(client: ConsoleDb, private pinned: string | null, witnessed: WitnessedHead[], pageSize: number) {
    this.witnessed = new WitnessedHeadsCheck(witnessed, this.report);
    this.checkpoints = new CheckpointReader(paged<CheckpointRow>(
      (after) =>
        client.accessLogCheckpoint.findMany({
          where: after ? { OR: [{ seq: { gt: after.seq } }, { seq: after.seq, id: { gt: after.id } }] } : {},
          orderBy: [{ seq: "asc" }, { id: "asc" }],
          take: pageSize,
        }),
      pageSize,
    ));
  }

  report = (p: Problem) => {
    this.problemCount++;
    if (this.problems.length < 100) this.problems.push(p);
    if (!this.firstBroken || p.seq < this.firstBroken.seq) this.firstBroken = p;
  };

  /**
   * entryHash: the stored hash of the entry at cp.seq, or null when there is none; tree: the tree
   * of the entries so far when it has exactly cp.seq leaves, else null.
   */
  checkCheckpoint(cp: CheckpointRow, entryHash: string | null, tree: TreeView | null): boolean {
    this.checkpointCount++;
    const fail = (reason: string, detail?: string) => (this.report({ seq: cp.seq, reason, detail, checkpointId: cp.id }), false);
    if (!this.keyObjects.has(cp.publicKey)) {
      let k: crypto.KeyObject | null = null;
      try { k = parsePublicKey(cp.publicKey); } catch { k = null; }
      if (this.keyObjects.size > 1000) this.keyObjects.clear(); // bounded memory even if every row differs
      this.keyObjects.set(cp.publicKey, k);
    }
    const key = this.keyObjects.get(cp.publicKey);
    if (!key) return fail("checkpoint public key invalid");
    const raw = rawPublicKey(key);
    const rawB64 = raw.toString("base64");
    if (keyIdOf(raw) !== cp.keyId) return fail("checkpoint keyId mismatch", `keyId ${cp.keyId} is not the key's id ${keyIdOf(raw)}`);
    if (this.keys.size < 100) {
      const k = this.keys.get(cp.keyId) ?? { keyId: cp.keyId, publicKey: rawB64, checkpoints: 0 };
      k.checkpoints++;
      this.keys.set(cp.keyId, k);
    }
    if (this.pinned && rawB64 !== this.pinned) return fail("checkpoint key not pinned", `signed with key ${cp.keyId}, not the pinned key`);
    if (!isCheckpointSignatureValid(cp, key)) return fail("checkpoint signature invalid");
    if (entryHash === null) return fail("checkpoint entry missing", `no entry with seq ${cp.seq}`);
    if (entryHash !== cp.hash) {
      const since = this.lastCheckpoint ? ` after the checkpoint at seq ${this.lastCheckpoint.seq}` : "";
      return fail("checkpoint hash mismatch", `the entry at seq ${cp.seq} is not the one sealed: entries${since} were rewritten`);
    }
    if (cp.root && tree && tree.root().toString("hex") !== cp.root) {
      return fail("checkpoint root mismatch", `the tree of entries 1..${cp.seq} is not the one this head signed`);
    }
    this.lastCheckpoint = { seq: cp.seq, hash: cp.hash, sealedAt: cp.sealedAt.toISOString(), keyId: cp.keyId, sealedBy: cp.sealedBy };
    return true;
  }

  private frontierView: TreeView = { size: 0, root: () => Buffer.from(this.frontier.rootBin(), "latin1") };

  /**
   * The sequential verification of one entry (every path but the SQLite fast path's, and that
   * one's fallback): seq, hash, link, then checkpoints up to and at its seq, then the seal check.
   */
  async entry(e: EntryRow): Promise<void> {
    this.entryCount++;
    this.frontier.push(leafHashBin(e.hash));
    this.frontierView.size = this.frontier.size;
    this.witnessed.atSize(this.frontierView);
    const prev = this.prev;
    const expected = prev.seq + 1;
    let linked = true;
    if (e.seq < expected) {
      this.report({ seq: e.seq, reason: "unexpected seq", detail: `seq ${e.seq} after seq ${prev.seq}` });
      linked = false;
    } else if (e.seq > expected) {
      const range = e.seq - 1 > expected ? `${expected}..${e.seq - 1}` : `${expected}`;
      this.report({ seq: expected, reason: `gap: seq ${range} missing` });
      linked = false;
    }
    if (entryHash(e) !== e.hash) this.report({ seq: e.seq, reason: "hash mismatch" });
    if (linked && e.prevHash !== prev.hash) this.report({ seq: e.seq, reason: "prevHash does not link" });

    let sealed = false;
    for (let cp = await this.checkpoints.peek(); cp && cp.seq <= e.seq; cp = await this.checkpoints.peek()) {
      await this.checkpoints.take();
      if (cp.seq < e.seq) this.checkCheckpoint(cp, null, null);
      else {
        this.checkCheckpoint(cp, e.hash, this.frontier.size === cp.seq ? this.frontierView : null);
        sealed = true;
      }
    }
    if (e.action === "accessLog.seal" && e.outcome === "ok" && !sealed) {
      this.report({ seq: e.seq, reason: "seal entry without checkpoint", detail: "its checkpoint row is missing" });
    }
    this.prev = { seq: e.seq, hash: e.hash };
  }

  /** After the last entry: checkpoints beyond it, witnessed heads beyond it. */
  async finish(): Promise<void> {
    for (let cp = await this.checkpoints.take(); cp; cp = await this.checkpoints.take()) this.checkCheckpoint(cp, null, null);
    this.witnessed.finish({ size: this.frontier.size, root: () => Buffer.from(this.frontier.rootBin(), "latin1") });
  }
}

/**
 * The SQLite fast path (lib/audit/verify-chunk.mjs, verify-parallel.ts): chunks of entries are
 * hashed in worker threads, each returning only what is unusual (hash mismatches, broken links,
 * seal entries) and its piece of the tree; this replays those findings, the checkpoints and the
 * witnessed heads in seq order, reporting exactly what Run.entry would for the same rows. Returns
 * false, having reported nothing, when the rows are not exactly seq 1..max (a gap, a seq below 1,
 * a value json_array cannot hold, an altered table): the caller then verifies sequentially.
 */
async function verifySqliteChunks(run: Run, file: string, opts: VerifyOptions): Promise<boolean> {
  const range = sqliteSeqRange(file, "verify");
  if (!range || range.min !== 1) return false;
  const heads = (opts.witnessed ?? []).map((w) => w.size).filter((s) => Number.isInteger(s)).sort((a, b) => a - b);
  let hi = 0;
  const lookup = new Database(file, { readonly: true, fileMustExist: true });
  const rowAt = lookup.prepare(`SELECT ${ENTRY_COLUMNS} FROM "AccessLogEntry" WHERE "seq" = ?`);
  // A chunk that is not contiguous makes the caller discard this run (and what it reported so far)
  // and verify sequentially with a fresh one.
  try {
    const chunks = chunksInOrder(file, range.max, opts, async (from, to) => {
      const cps = await run.checkpoints.takeUpTo(to);
      const sizes = new Set<number>();
      for (const cp of cps) if (cp.seq >= from) sizes.add(cp.seq);
      while (hi < heads.length && heads[hi] < from) hi++;
      for (let i = hi; i < heads.length && heads[i] <= to; i++) sizes.add(heads[i]);
      return { job: { mode: "verify", from, to, sizes: [...sizes].sort((a, b) => a - b) }, extra: cps };
    });
    for await (const { result: c, extra: cps } of chunks) {
      if (!c.contiguous || c.unsupported) return false;
      const mismatches = new Set(c.mismatches);
      for (const seq of c.deferred) {
        const e = toEntryRow(rowAt.get(seq) as Record<string, unknown>);
        if (entryHash(e) !== e.hash) mismatches.add(seq);
      }
      const links = new Set(c.linkBreaks);
      const seals = new Set(c.seals);
      const at = new Map(c.at.map((x) => [x.size, x]));
      const events = new Set<number>([c.from, ...mismatches, ...links, ...seals, ...at.keys()]);
      let ci = 0;
      for (const s of [...events].sort((a, b) => a - b)) {
        const local = at.get(s);
        const view: TreeView = {
          size: s,
          root: () => Buffer.from(foldRootBin([...run.frontier.hashes, ...local!.hashes]), "latin1"),
        };
        run.witnessed.atSize(view);
        if (mismatches.has(s)) run.report({ seq: s, reason: "hash mismatch" });
        if (s === c.from ? c.firstPrevHash !== run.prev.hash : links.has(s)) run.report({ seq: s, reason: "prevHash does not link" });
        let sealed = false;
        for (; ci < cps.length && cps[ci].seq <= s; ci++) {
          if (cps[ci].seq < s) run.checkCheckpoint(cps[ci], null, null);
          else {
            run.checkCheckpoint(cps[ci], local!.hash, view);
            sealed = true;
          }
        }
        if (seals.has(s) && !sealed) run.report({ seq: s, reason: "seal entry without checkpoint", detail: "its checkpoint row is missing" });
      }
      for (let i = 0; i < c.levels.length; i++) run.frontier.pushSubtree(c.levels[i], c.hashes[i]);
      run.entryCount += c.count;
      run.prev = { seq: c.to, hash: c.lastHash! };
    }
  } finally {
    lookup.close();
  }
  return true;
}

export async function verifyAccessLog(client: ConsoleDb, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const started = Date.now();
  const pageSize = opts.pageSize ?? 5000;
  const pinned = opts.publicKey ? rawPublicKey(parsePublicKey(opts.publicKey)).toString("base64") : null;
  const newRun = () => new Run(client, pinned, opts.witnessed ?? [], pageSize);

  let run = newRun();
  let done = false;
  if (opts.sqliteFile && opts.workers !== -1) {
    done = await verifySqliteChunks(run, opts.sqliteFile, opts);
    if (!done) run = newRun();
  }
  if (opts.sqliteFile) opts.onPath?.(done ? "chunks" : "sequential");
  if (!done) {
    if (opts.sqliteFile) {
      for (const e of sqliteEntries(opts.sqliteFile)) await run.entry(e);
    } else {
      const entries = paged<EntryRow>(
        (after) => client.accessLogEntry.findMany({ where: after ? { seq: { gt: after.seq } } : {}, orderBy: { seq: "asc" }, take: pageSize }),
        pageSize,
      );
      for await (const e of entries) await run.entry(e);
    }
  }
  await run.finish();
  if (pinned && run.checkpointCount === 0) {
    run.report({ seq: 0, reason: "no signed checkpoint", detail: run.entryCount ? `${run.entryCount} entries, none sealed` : "the log is empty" });
  }
  const warnings = opts.witnessed ? run.witnessed.warnings(opts.maxWitnessAgeMs ?? 24 * 3600_000) : [];

  const prev = run.prev;
  const head = await client.accessLogHead.findUnique({ where: { id: 1 } });
  if (!head) run.report({ seq: prev.seq + 1, reason: "head mismatch", detail: "the AccessLogHead row is missing" });
  else if (head.seq < prev.seq) {
    run.report({ seq: head.seq + 1, reason: "head mismatch", detail: `head is at seq ${head.seq} but entries run to seq ${prev.seq}` });
  } else if (head.seq > prev.seq) {
    run.report({ seq: prev.seq + 1, reason: "head mismatch", detail: `head is at seq ${head.seq} but the last entry is seq ${prev.seq}` });
  } else if (head.hash !== prev.hash) {
    run.report({ seq: prev.seq, reason: "head mismatch", detail: `head hash differs from entry ${prev.seq}'s hash` });
  }

  return {
    ok: run.problemCount === 0,
    entries: run.entryCount,
    checkpoints: run.checkpointCount,
    head: head ? { seq: head.seq, hash: head.hash } : null,
    firstBroken: run.firstBroken,
    problems: run.problems,
    problemCount: run.problemCount,
    lastCheckpoint: run.lastCheckpoint,
    keys: [...run.keys.values()],
    pinnedKeyId: pinned ? keyIdOf(Buffer.from(pinned, "base64")) : null,
    witness: opts.witnessed ? run.witnessed.summary() : null,
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
