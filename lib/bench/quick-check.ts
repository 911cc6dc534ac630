import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureDemoPair } from "@/lib/bench/setup";
import { startWriter } from "@/lib/bench/writer-control";
import { quickCheck, LOCK_BUDGET_MS } from "@/lib/sydent/integrity";

// npm run bench -- --only quick-check [--bindings 1000000]
// server:check's integrity check against a database being written the way Sydent writes
// (lib/bench/sydent-writer.ts: its own process, rollback journal, 5 s busy timeout, a binding
// every ~5 ms), on a copy of the demo's is1.db:
//   - "in place": PRAGMA quick_check on the file itself (what server:check did before, and still
//     does for a server declared stopped): one statement, one read lock for its whole run;
//   - "copy": lib/sydent/integrity.ts: the file copied under one read lock against a 2 s deadline,
//     quick_check on the copy.
// For each: wall time, how long the read lock was held, and the writer's longest wait and
// "database is locked" count during it. The locking is SQLite's (the same library Sydent's Python
// uses); the writer stands in for Sydent's process, which cannot serve a 1M-binding database here.

/** The console's default busy wait for its reads of Sydent's file (CUSTODIAN_SYDENT_BUSY_TIMEOUT_MS). */
const BUSY_MS = 2000;

export async function runQuickCheckBench(o: { bindings: number; seed: string; log: (m: string) => void }) {
  const pair = await ensureDemoPair({ bindings: o.bindings, seed: o.seed, onProgress: o.log });
  const server = pair.servers[0];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-bench-qc-"));
  try {
    const file = path.join(dir, "is1.db");
    fs.copyFileSync(server.dbPath, file);
    const fd = fs.openSync(file, "r+");
    fs.fsyncSync(fd); // on disk before measuring: its write-back must not slow what is measured
    fs.closeSync(fd);
    const sizeMb = fs.statSync(file).size / 1048576;
    o.log(`quick-check bench: ${sizeMb.toFixed(0)} MB, writer starting`);
    const writer = await startWriter(file, server.serverName);
    const runs: Record<string, { ms: number; lockHeldMs: number; result: string }> = {};
    try {
      await new Promise((r) => setTimeout(r, 2000));
      for (const mode of ["in place", "copy"] as const) {
        await writer.phase(mode);
        o.log(`quick-check bench: ${mode}`);
        let lockHeldMs = 0;
        const t0 = performance.now();
        const r = quickCheck(file, mode === "in place" ? { stopped: true, timeoutMs: BUSY_MS } : { timeoutMs: BUSY_MS, onLockHeld: (ms) => (lockHeldMs = ms) });
        const ms = performance.now() - t0;
        if (mode === "in place") lockHeldMs = ms; // one statement: the lock is held throughout
        runs[mode] = { ms: Math.round(ms), lockHeldMs: Math.round(lockHeldMs), result: r.integrity === "could not check" ? `could not check: ${r.error.message}` : r.integrity };
        await writer.phase("between");
        await new Promise((res) => setTimeout(res, 6000)); // the writer recovers before the next phase
      }
    } finally {
      const stats = await writer.stop();
      const by = new Map(stats.map((s) => [s.phase, s]));
      const out = {
        bindings: o.bindings, fileMb: Math.round(sizeMb), lockBudgetMs: LOCK_BUDGET_MS, cores: os.availableParallelism(), loadavg1m: os.loadavg()[0],
        runs: Object.fromEntries(
          Object.entries(runs).map(([mode, r]) => {
            const s = by.get(mode);
            return [mode, { ...r, writerTransactions: s?.transactions, writerBusyErrors: s?.busyErrors, writerMaxWaitMs: s?.maxWaitMs, writerP99WaitMs: s?.p99WaitMs }];
          }),
        ),
      };
      console.log(JSON.stringify(out, null, 2));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}
