import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// Benchmark set-up: the demo databases (built once per (bindings, seed) and cached under
// .tmp/bench/<bindings>-<seed>/), and a throw-away console database with fixed secrets for the
// access-log writes. Nothing here touches the operator's own console database or .env.

/** Fixed so that two runs on the same cache build and search the same data. */
export const BENCH_REFERENCE_TIME = "2026-11-27T12:00:00Z";
export const BENCH_ROOT = path.resolve(".tmp/bench");

export type DemoPair = { dir: string; servers: { label: string; serverName: string; dbPath: string }[]; generatedNow: boolean; generateMs: number | null };

type Summary = { servers: { label: string; serverName: string; dbPath: string }[] };

/**
 * Points process.env at a fresh temporary console database (SQLite) with fixed benchmark
 * secrets and migrates it. Must run before anything calls env() or db().
 */
export async function useTempConsoleDb(): Promise<{ dataDir: string; cleanup: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-bench-"));
  Object.assign(process.env, {
    CONSOLE_DATABASE_URL: `file:${path.join(dataDir, "console.db")}`,
    CUSTODIAN_DATA_DIR: dataDir,
    NEXTAUTH_SECRET: "bench-nextauth-secret-0123456789abcdef0123456789",
    CUSTODIAN_MASTER_KEY: "be7c4be7c4be7c4be7c4be7c4be7c4be7c4be7c4be7c4be7c4be7c4be7c4be7c",
  });
  delete process.env.CUSTODIAN_CHECKPOINT_KEY_FILE;
  const { resetEnvCache } = await import("@/lib/env");
  const { resetDb } = await import("@/lib/db");
  const { migrateConsoleDb } = await import("@/lib/cli/migrate-runner");
  resetEnvCache();
  await resetDb();
  await migrateConsoleDb(process.env.CONSOLE_DATABASE_URL!);
  return {
    dataDir,
    cleanup: async () => {
      await resetDb();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The cached demo pair for (bindings, seed), generated (without staff) when missing. */
export async function ensureDemoPair(o: { bindings: number; seed: string; root?: string; onProgress?: (m: string) => void }): Promise<DemoPair> {
  const root = o.root ?? BENCH_ROOT;
  const dir = path.join(root, `${o.bindings}-${o.seed}`);
  const summaryFile = path.join(dir, "summary.json");
  let generatedNow = false;
  let generateMs: number | null = null;
  if (!fs.existsSync(summaryFile)) {
    const { generateDemo } = await import("@/lib/demo/generate-demo");
    const partial = `${dir}.partial`;
    fs.rmSync(partial, { recursive: true, force: true });
    o.onProgress?.(`generating ${o.bindings.toLocaleString("en")} bindings into ${partial} (cached for later runs)`);
    const start = Date.now();
    const summary = await generateDemo({
      outDir: partial, bindings: o.bindings, seed: o.seed, referenceTime: new Date(BENCH_REFERENCE_TIME), logDays: 210, staff: false, onProgress: o.onProgress,
    });
    generateMs = Date.now() - start;
    fs.writeFileSync(path.join(partial, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(partial, dir);
    generatedNow = true;
  }
  const summary = JSON.parse(fs.readFileSync(summaryFile, "utf8")) as Summary;
  // Paths in the summary point at the directory it was generated in; use the cache dir's files.
  const servers = summary.servers.map((s) => ({ label: s.label, serverName: s.serverName, dbPath: path.join(dir, path.basename(s.dbPath)) }));
  for (const s of servers) if (!fs.existsSync(s.dbPath)) throw new Error(`cached demo is incomplete (${s.dbPath} missing): delete ${dir} and run again`);
  return { dir, servers, generatedNow, generateMs };
}

/** A writable copy of a cached database for the concurrency run (the cache stays pristine). */
export function copyForWriting(file: string, into: string): string {
  fs.mkdirSync(into, { recursive: true });
  const dest = path.join(into, `writable-${path.basename(file)}`);
  fs.copyFileSync(file, dest);
  fs.chmodSync(dest, 0o644);
  return dest;
}
