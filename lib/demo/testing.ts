import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { generateLogs, type GenerateLogsResult } from "@/lib/demo/generate-logs";
import { generateSydent, type GenerateSydentResult } from "@/lib/demo/generate-sydent";

// Helpers shared by the demo generator's tests.

export { FIXTURE_DIR } from "@/lib/sydent/test-fixtures";
export const TEST_REF = new Date("2026-11-27T14:30:00Z");

export type Generated = GenerateSydentResult & { dir: string; logs: GenerateLogsResult };

export function generateForTest(opts: { bindings?: number; seed?: string; logDays?: number } = {}): Generated {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-demo-"));
  const syd = generateSydent({ outDir: dir, bindings: opts.bindings ?? 300, seed: opts.seed ?? "test-seed", referenceTime: TEST_REF, logDays: opts.logDays ?? 210 });
  const logs = generateLogs({ outDir: dir, seed: opts.seed ?? "test-seed", referenceTime: TEST_REF, logDays: opts.logDays ?? 210, servers: syd.servers, events: syd.events, replication: syd.replication });
  return { ...syd, dir, logs };
}

export function openRo(file: string): Database.Database {
  return new Database(file, { readonly: true, fileMustExist: true });
}

export function schemaOf(file: string): { type: string; name: string; tbl_name: string; sql: string | null }[] {
  const d = openRo(file);
  try {
    return d.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").all() as never;
  } finally {
    d.close();
  }
}

/** Every row of every table, in primary-key order, with SQLite's own value types. */
export function dumpDb(file: string): Record<string, unknown[]> {
  const d = openRo(file);
  try {
    const tables = (d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    const out: Record<string, unknown[]> = {};
    for (const t of tables) {
      const cols = (d.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name);
      const typed = cols.map((c) => `typeof(${c}) AS "${c}:type", ${c}`).join(", ");
      out[t] = d.prepare(`SELECT ${typed} FROM ${t} ORDER BY ${cols.join(", ")}`).all();
    }
    return out;
  } finally {
    d.close();
  }
}

export function cleanup(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
