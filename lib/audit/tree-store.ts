import type { ConsoleDb, ConsoleTx } from "@/lib/db";
import { leafHashBin, nodeHashBin } from "@/lib/audit/hash-core.mjs";
import { consistencyProof, inclusionProof, nodeHash, rangeHash, type NodeSource } from "@/lib/audit/merkle";
import { sqliteReader, type SqliteReader } from "@/lib/audit/sqlite-reader";

// Proofs from the console database in milliseconds at 10M entries. Every hash a proof needs is the
// hash of a complete, aligned subtree (RFC 6962's recursion only ever splits at powers of two), and
// a proof needs O(log n) of them. Subtrees of 2^CACHE_LEVEL = 256 leaves and up are kept in
// AccessLogTreeNode (about n/128 rows: 78 000 for 10M), filled when a tree head is sealed (only the
// subtrees completed since the last seal are new) or lazily on first use; smaller ones are
// computed from at most 255 entry hashes read by one range query. The cache is not trusted:
// proofs are verified against signed roots by whoever uses them, and audit:verify recomputes every
// root from the entries themselves.

export const CACHE_LEVEL = 8;

/** The hashes of rows from+1, from+2, … up to the first gap (leaves after a gap are unusable). */
function contiguousHashes(from: number, rows: { seq: number | bigint; hash: string }[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    if (Number(r.seq) !== from + out.length + 1) break;
    out.push(r.hash);
  }
  return out;
}
type Client = ConsoleDb | ConsoleTx;

export class DbTreeSource implements NodeSource {
  private memo = new Map<string, Buffer>();
  /**
   * persist: store new cache rows (false for read-only witnesses and copies). direct: read through
   * this (lib/audit/sqlite-reader.ts) rather than the client; new cache rows still go through the client.
   */
  constructor(private client: Client, private persist = true, private direct: SqliteReader | null = null) {}

  /** Per aligned block of 256 leaves: the entry hashes up to the first gap (fewer at the log's end). */
  private blocks = new Map<number, string[]>();

  private async block(b: number): Promise<string[]> {
    const hit = this.blocks.get(b);
    if (hit) return hit;
    const from = b << CACHE_LEVEL;
    const to = from + (1 << CACHE_LEVEL);
    let hashes: string[] | null = null;
    if (this.direct) {
      // One string instead of 256 rows (handing values to JavaScript is most of the cost). seq is
      // the INTEGER PRIMARY KEY: n distinct seqs in from+1..max with n = max - from are all of them.
      const r = this.direct.get<{ n: number; max: number | null; hashes: string | null }>(
        `SELECT count(*) AS n, max("seq") AS max, group_concat("hash", ',' ORDER BY "seq") AS hashes FROM "AccessLogEntry" WHERE "seq" > ? AND "seq" <= ?`, from, to);
      if (r && r.n === 0) hashes = [];
      else if (r && r.max !== null && r.n === r.max - from && r.hashes !== null) {
        const parts = r.hashes.split(",");
        if (parts.length === r.n) hashes = parts; // else a hash holds a comma: read the rows below
      }
    }
    if (!hashes) {
      const rows = this.direct
        ? this.direct.all<{ seq: number; hash: string }>(`SELECT "seq", "hash" FROM "AccessLogEntry" WHERE "seq" > ? AND "seq" <= ? ORDER BY "seq"`, from, to)
        : await this.client.$queryRaw<{ seq: number | bigint; hash: string }[]>`
          SELECT "seq", "hash" FROM "AccessLogEntry" WHERE "seq" > ${from} AND "seq" <= ${to} ORDER BY "seq"`;
      hashes = contiguousHashes(from, rows);
    }
    if (this.blocks.size > 64) this.blocks.clear();
    this.blocks.set(b, hashes);
    return hashes;
  }

  private async fromLeaves(level: number, index: number): Promise<Buffer> {
    const start = index << level;
    const count = 1 << level;
    const b = start >> CACHE_LEVEL;
    const all = await this.block(b);
    const off = start - (b << CACHE_LEVEL);
    if (off + count > all.length) throw new Error(`access-log entries ${start + 1}..${start + count} are not all present`);
    let layer = all.slice(off, off + count).map(leafHashBin);
    while (layer.length > 1) {
      const next: string[] = [];
      for (let i = 0; i < layer.length; i += 2) next.push(nodeHashBin(layer[i], layer[i + 1]));
      layer = next;
    }
    return Buffer.from(layer[0], "latin1");
  }

  /** Loads cached nodes and leaf blocks in one query each (missing nodes are computed later). */
  async prefetch(nodes: [number, number][], blocks: number[]): Promise<void> {
    if (nodes.length) {
      const where = nodes.map(([l, i]) => `("level" = ${l} AND "idx" = ${i})`).join(" OR ");
      const rows = await this.client.$queryRawUnsafe<{ level: number | bigint; idx: number | bigint; hash: string }[]>(
        `SELECT "level", "idx", "hash" FROM "AccessLogTreeNode" WHERE ${where}`);
      for (const r of rows) this.memo.set(`${Number(r.level)}:${Number(r.idx)}`, Buffer.from(r.hash, "hex"));
    }
    if (blocks.length) {
      const where = blocks.map((b) => `("seq" > ${b << CACHE_LEVEL} AND "seq" <= ${(b + 1) << CACHE_LEVEL})`).join(" OR ");
      const rows = await this.client.$queryRawUnsafe<{ seq: number | bigint; hash: string }[]>(
        `SELECT "seq", "hash" FROM "AccessLogEntry" WHERE ${where} ORDER BY "seq"`);
      const by = new Map<number, { seq: number; hash: string }[]>(blocks.map((b) => [b, []]));
      for (const r of rows) by.get((Number(r.seq) - 1) >> CACHE_LEVEL)?.push({ seq: Number(r.seq), hash: r.hash });
      for (const [b, list] of by) this.blocks.set(b, contiguousHashes(b << CACHE_LEVEL, list));
    }
  }

  async subtree(level: number, index: number): Promise<Buffer> {
    if (level < CACHE_LEVEL) return this.fromLeaves(level, index);
    const key = `${level}:${index}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const cached = this.direct?.value<string>(`SELECT "hash" FROM "AccessLogTreeNode" WHERE "level" = ? AND "idx" = ?`, level, index);
    const rows = this.direct
      ? (cached === undefined ? [] : [{ hash: cached }])
      : await this.client.$queryRaw<{ hash: string }[]>`
      SELECT "hash" FROM "AccessLogTreeNode" WHERE "level" = ${level} AND "idx" = ${index}`;
    let h: Buffer;
    if (rows.length) h = Buffer.from(rows[0].hash, "hex");
    else {
      h = level === CACHE_LEVEL
        ? await this.fromLeaves(level, index)
        : nodeHash(await this.subtree(level - 1, index * 2), await this.subtree(level - 1, index * 2 + 1));
      if (this.persist) {
        await this.client.$executeRaw`
          INSERT INTO "AccessLogTreeNode" ("level", "idx", "hash") VALUES (${level}, ${index}, ${h.toString("hex")})
          ON CONFLICT DO NOTHING`;
      }
    }
    this.memo.set(key, h);
    return h;
  }
}

export async function treeRoot(client: Client, size: number, persist = true): Promise<string> {
  return (await rangeHash(new DbTreeSource(client, persist), 0, size)).toString("hex");
}

/**
 * Runs `walk` twice: first against a recording source (dummy hashes) to learn which cached nodes
 * and which 256-leaf blocks the proof needs, then, after fetching all of them in two queries,
 * for real. A proof at 10M entries is then two round trips instead of ~25.
 */
async function withPrefetch<T>(client: Client, persist: boolean, walk: (src: NodeSource) => Promise<T>): Promise<T> {
  // On a SQLite file the ~25 reads are index seeks of microseconds each: no round trips to save.
  const direct = sqliteReader(client);
  if (direct) return walk(new DbTreeSource(client, persist, direct));
  const nodes = new Set<string>();
  const blocks = new Set<number>();
  const dummy = Buffer.alloc(32);
  await walk({
    subtree: async (level, index) => {
      if (level >= CACHE_LEVEL) nodes.add(`${level}:${index}`);
      else blocks.add((index << level) >> CACHE_LEVEL);
      return dummy;
    },
  });
  const src = new DbTreeSource(client, persist);
  await src.prefetch([...nodes].map((k) => k.split(":").map(Number) as [number, number]), [...blocks]);
  return walk(src);
}

export async function inclusionProofHex(client: Client, seq: number, size: number, persist = true): Promise<string[]> {
  return (await withPrefetch(client, persist, (src) => inclusionProof(src, seq - 1, size))).map((b) => b.toString("hex"));
}

export async function consistencyProofHex(client: Client, first: number, second: number, persist = true): Promise<string[]> {
  return (await withPrefetch(client, persist, (src) => consistencyProof(src, first, second))).map((b) => b.toString("hex"));
}
