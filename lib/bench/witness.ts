import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { referenceSerialise, entryHash, GENESIS_HASH, type ChainFields } from "@/lib/audit/chain";
import { checkpointMessage, signCheckpoint } from "@/lib/audit/checkpoint";
import { loadCheckpointKey } from "@/lib/audit/checkpoint-key";
import { leafHash, MerkleFrontier, verifyConsistency, verifyInclusion } from "@/lib/audit/merkle";
import { latestSth, proveConsistency, proveInclusion } from "@/lib/audit/proofs";
import { CACHE_LEVEL } from "@/lib/audit/tree-store";
import { verifyAccessLog } from "@/lib/audit/verify";
import { defaultWorkers } from "@/lib/audit/verify-parallel";
import { runWitness } from "@/lib/audit/witness";
import { migrateSqlite } from "@/lib/cli/migrate-runner";
import { createConsoleDb } from "@/lib/db";
import { BENCH_ROOT } from "@/lib/bench/setup";
import { toEntryRow } from "@/lib/audit/sqlite-rows";

// npm run bench -- --only witness [--entries 1000000] [--iterations 200]
// Builds (or reuses) .tmp/bench/access-log/access-log-iso-<entries>.db: a console SQLite database
// holding <entries> access-log entries as the application writes them (hash chain, timestamps as
// Prisma's adapter stores them, a signed tree head every 500 entries, the subtree cache), written
// in bulk. Then times, in one run:
//   - sha256sum over the same bytes (every entry's canonical serialisation, one per line), before
//     and after the verifications (the ratio uses the faster);
//   - audit:verify's full verification (chain + every tree head's signature and root) of all
//     entries, with the default worker threads and on one thread (wall and CPU time);
//   - audit:witness (recomputes the tree from the entries' hashes);
//   - inclusion and consistency proofs against the latest head (p50 / p95 / max), each verified.

const EVERY = 500;

/** DateTime as Prisma's SQLite adapter writes it (its default timestampFormat "iso8601"), so the bench reads what the console stores. */
const prismaSqliteDate = (d: Date) => d.toISOString().replace("Z", "+00:00");
const ACTIONS = ["subject.search", "subject.reveal", "request.view", "package.generate", "accessLog.view"];

/** Reads a file once (in 16 MB pieces: the 10M files exceed what one Buffer holds) so it is in the page cache. */
function warmPageCache(f: string): void {
  const fd = fs.openSync(f, "r");
  const buf = Buffer.alloc(16 << 20);
  try {
    while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    fs.closeSync(fd);
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function build(file: string, entries: number, keyFile: string, log: (m: string) => void): void {
  migrateSqlite(file, path.resolve("prisma/console/migrations"));
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  db.exec(`DROP TRIGGER "AccessLogEntry_next_seq_only"; DROP TRIGGER "AccessLogCheckpoint_next_only"`);
  const key = loadCheckpointKey(keyFile);
  const insE = db.prepare(`INSERT INTO "AccessLogEntry" ("seq","at","actorId","actorLabel","actorRole","action","targetType","targetPseudonym","targetRef","requestId","purpose","outcome","ip","userAgent","details","prevHash","hash") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  const insC = db.prepare(`INSERT INTO "AccessLogCheckpoint" ("seq","hash","sealedAt","keyId","publicKey","signature","sealedBy","root") VALUES (?,?,?,?,?,?,?,?)`);
  const insN = db.prepare(`INSERT INTO "AccessLogTreeNode" ("level","idx","hash") VALUES (?,?,?)`);
  const frontier = new MerkleFrontier((level, idx, h) => { if (level >= CACHE_LEVEL) insN.run(level, idx, h.toString("hex")); });
  let prev = GENESIS_HASH;
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const batch = db.transaction((from: number, to: number) => {
    for (let seq = from; seq <= to; seq++) {
      const sealing = seq % EVERY === 0;
      const f: ChainFields = {
        seq, at: new Date(t0 + seq * 1000), actorId: `staff${seq % 40}`, actorLabel: `staff${seq % 40}@example.org`, actorRole: "dpo",
        action: sealing ? "accessLog.seal" : ACTIONS[seq % ACTIONS.length], targetType: sealing ? "checkpoint" : "email",
        targetPseudonym: sealing ? null : crypto.createHash("sha256").update(`p${seq % 100000}`).digest("hex"), targetRef: null,
        requestId: seq % 3 ? `req${seq % 5000}` : null, purpose: seq % 3 ? "subject access request" : null, outcome: "ok",
        ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64) bench", details: seq % 7 ? null : `{"rows":${seq % 97}}`, prevHash: prev,
      };
      const hash = entryHash(f);
      insE.run(seq, prismaSqliteDate(f.at), f.actorId, f.actorLabel, f.actorRole, f.action, f.targetType, f.targetPseudonym, f.targetRef, f.requestId, f.purpose, f.outcome, f.ip, f.userAgent, f.details, prev, hash);
      frontier.push(leafHash(hash));
      prev = hash;
      if (sealing) {
        const signed = { seq, hash, sealedAt: new Date(f.at.getTime() + 1), root: frontier.root().toString("hex"), keyId: key.keyId, sealedBy: "system:auto-seal" };
        insC.run(seq, hash, prismaSqliteDate(signed.sealedAt), key.keyId, key.publicKeyB64, signCheckpoint(signed, key), signed.sealedBy, signed.root);
        void checkpointMessage;
      }
    }
  });
  for (let from = 1; from <= entries; from += 50_000) {
    batch(from, Math.min(entries, from + 49_999));
    log(`access-log bench: ${Math.min(entries, from + 49_999)} / ${entries} entries written`);
  }
  db.prepare(`UPDATE "AccessLogHead" SET "seq" = ?, "hash" = ? WHERE "id" = 1`).run(entries, prev);
  db.close();
}

export async function runWitnessBench(o: { entries: number; iterations: number; log: (m: string) => void }) {
  const dir = path.join(BENCH_ROOT, "access-log");
  fs.mkdirSync(dir, { recursive: true });
  // "-iso": timestamps stored as the console stores them (earlier bench databases held unix ms).
  const file = path.join(dir, `access-log-iso-${o.entries}.db`);
  const keyFile = path.join(dir, "checkpoint-ed25519.pem");
  let buildMs: number | null = null;
  if (!fs.existsSync(file)) {
    const t = performance.now();
    build(file + ".part", o.entries, keyFile, o.log);
    fs.renameSync(file + ".part", file);
    for (const ext of ["-wal", "-shm"]) if (fs.existsSync(file + ".part" + ext)) fs.rmSync(file + ".part" + ext);
    buildMs = performance.now() - t;
  } else migrateSqlite(file, path.resolve("prisma/console/migrations")); // a cached database gets later migrations (indexes)
  const client = createConsoleDb(`file:${file}`);
  try {
    // The same bytes for sha256sum: each entry's canonical serialisation, newline-terminated.
    const bytesFile = path.join(dir, `canonical-${o.entries}.txt`);
    if (!fs.existsSync(bytesFile)) {
      const raw = new Database(file, { readonly: true });
      const out = fs.openSync(bytesFile + ".part", "w");
      let buf: string[] = [];
      for (const r of raw.prepare(`SELECT * FROM "AccessLogEntry" ORDER BY "seq"`).iterate() as Iterable<Record<string, unknown>>) {
        buf.push(referenceSerialise(toEntryRow(r)) + "\n");
        if (buf.length === 10_000) (fs.writeSync(out, buf.join("")), (buf = []));
      }
      fs.writeSync(out, buf.join(""));
      fs.closeSync(out);
      raw.close();
      fs.renameSync(bytesFile + ".part", bytesFile);
    }
    const bytes = fs.statSync(bytesFile).size;
    warmPageCache(bytesFile); // for both sides alike
    warmPageCache(file);
    const sha256sum = () => {
      const t0 = performance.now();
      execFileSync("sha256sum", [bytesFile]);
      return performance.now() - t0;
    };
    const loadBefore = os.loadavg()[0];
    const shaBefore = sha256sum();

    // Connect the Prisma client first (its engine start, ~0.5 s, is not verification work; the CLI pays it once per run).
    await client.accessLogHead.findUnique({ where: { id: 1 } });
    const publicKey = fs.readFileSync(keyFile.replace(/\.pem$/, ".pub"), "utf8");
    const timed = async (workers: number | undefined) => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await verifyAccessLog(client, { sqliteFile: file, publicKey, workers });
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      if (!r.ok) throw new Error(`bench log does not verify: ${JSON.stringify(r.firstBroken)}`);
      return { ms, cpuMs: (cpu.user + cpu.system) / 1000 }; // CPU of every thread of this process
    };
    o.log("access-log bench: full verification");
    const v = await timed(undefined);
    o.log("access-log bench: full verification on one thread");
    const v1 = await timed(0);
    const shaAfter = sha256sum();
    // The ratio is taken against the faster of the two sha256sum runs around the verifications.
    const shaMs = Math.min(shaBefore, shaAfter);

    o.log("access-log bench: witness");
    const wdir = fs.mkdtempSync(path.join(dir, "witness-"));
    const t = performance.now();
    const w = await runWitness(client, wdir, undefined, file);
    const witnessMs = performance.now() - t;
    fs.rmSync(wdir, { recursive: true, force: true });
    if (!w.ok) throw new Error("bench witness failed");

    const sth = (await latestSth(client))!;
    const root = Buffer.from(sth.root, "hex");
    const inclusion: number[] = [];
    const consistency: number[] = [];
    let seed = 1;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), 1 + (seed % n));
    for (let i = 0; i < o.iterations; i++) {
      const seq = rnd(sth.size);
      let s = performance.now();
      const p = await proveInclusion(client, seq);
      inclusion.push(performance.now() - s);
      if (!verifyInclusion(leafHash(p.entryHash), seq - 1, sth.size, p.proof.map((x) => Buffer.from(x, "hex")), root)) throw new Error("bad inclusion proof");
      const first = rnd(sth.size);
      s = performance.now();
      const c = await proveConsistency(client, first);
      consistency.push(performance.now() - s);
      if (c.proof.length === 0 && first !== sth.size) throw new Error("empty consistency proof");
      if (c.firstSth && !verifyConsistency(first, sth.size, Buffer.from(c.firstSth.root, "hex"), root, c.proof.map((x) => Buffer.from(x, "hex")))) {
        throw new Error("bad consistency proof");
      }
    }
    const mbps = (ms: number) => Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10;
    const figures = (x: { ms: number; cpuMs: number }) => ({
      ms: Math.round(x.ms), mbPerS: mbps(x.ms), entriesPerS: Math.round(o.entries / (x.ms / 1000)),
      ratioToSha256sum: Math.round((shaMs / x.ms) * 1000) / 1000, cpuMs: Math.round(x.cpuMs), cpuUsPerEntry: +((x.cpuMs * 1000) / o.entries).toFixed(2),
    });
    return {
      entries: o.entries, bytes, buildMs, sthSize: sth.size,
      machine: { cpus: os.availableParallelism(), workers: defaultWorkers(), loadavg1mBefore: +loadBefore.toFixed(2), loadavg1mAfter: +os.loadavg()[0].toFixed(2) },
      sha256sum: { ms: Math.round(shaMs), mbPerS: mbps(shaMs), beforeMs: Math.round(shaBefore), afterMs: Math.round(shaAfter) },
      verify: figures(v),
      verifyOneThread: figures(v1),
      witness: { ms: Math.round(witnessMs), entriesPerS: Math.round(o.entries / (witnessMs / 1000)) },
      inclusionMs: { p50: +pct(inclusion, 50).toFixed(2), p95: +pct(inclusion, 95).toFixed(2), max: +Math.max(...inclusion).toFixed(2) },
      consistencyMs: { p50: +pct(consistency, 50).toFixed(2), p95: +pct(consistency, 95).toFixed(2), max: +Math.max(...consistency).toFixed(2) },
      iterations: o.iterations,
    };
  } finally {
    await client.$disconnect();
  }
}
