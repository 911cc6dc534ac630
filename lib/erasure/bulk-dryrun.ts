import { byLowerAddress } from "@/lib/sydent/lower-address";
import type Database from "better-sqlite3";
import { checkFile, classifyError } from "@/lib/sydent/errors";
import { sydentRaw } from "@/lib/sydent/open";
import { tick, SCAN_CHUNK } from "@/lib/subjects/search-scan";
import { keyOf } from "@/lib/subjects/search-server";
import type { BulkSubject } from "@/lib/erasure/bulk-parse";

// The bulk dry run: for a chunk of rows, "is this subject held anywhere, and how much?" on every
// registered identity server, READ ONLY. Indexed lookups where Sydent has an index (3PID address
// on both association tables and invite_tokens, accounts by user_id); otherwise ONE chunked pass
// over the table for the whole chunk of rows (rowid ranges of SCAN_CHUNK, short autocommit
// statements, a setImmediate yield between them) with Set membership in memory - never one
// full scan per row. Counts only: the result names no identifier.

export type DryServer = { id: string; label: string; dbPath: string };
export type HeldCounts = { bindings: number; globalRows: number; invites: number; sessions: number; accounts: number };
export type RowFinding = { held: boolean; perServer: { label: string; counts?: HeldCounts; error?: string }[] };

const zero = (): HeldCounts => ({ bindings: 0, globalRows: 0, invites: 0, sessions: 0, accounts: 0 });

/** Calls `visit` for every row of `table` (columns incl. the key), chunk by chunk. */
async function passOver(db: Database.Database, table: string, columns: string, visit: (row: Record<string, unknown>) => void): Promise<void> {
  const bound = db.prepare(`SELECT id AS k FROM ${table} WHERE id > ? ORDER BY id LIMIT 1 OFFSET ${SCAN_CHUNK - 1}`);
  const range = db.prepare(`SELECT ${columns} FROM ${table} WHERE id > ? AND id <= ?`);
  const tail = db.prepare(`SELECT ${columns} FROM ${table} WHERE id > ?`);
  let lo = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const hi = (bound.get(lo) as { k: number } | undefined)?.k;
    if (hi === undefined) {
      for (const r of tail.all(lo) as Record<string, unknown>[]) visit(r);
      return;
    }
    for (const r of range.all(lo, hi) as Record<string, unknown>[]) visit(r);
    lo = hi;
    await tick();
  }
}

function bump(map: Map<string, HeldCounts>, key: unknown, field: keyof HeldCounts): void {
  if (typeof key !== "string") return;
  const c = map.get(key);
  if (c) c[field]++;
}

const subjectKey = (s: BulkSubject) => (s.type === "mxid" ? `mxid:${s.value}` : keyOf(s.type, s.value));

async function countOnServer(db: Database.Database, subjects: BulkSubject[]): Promise<Map<string, HeldCounts>> {
  const counts = new Map(subjects.map((s) => [subjectKey(s), zero()]));
  const mxids = subjects.filter((s) => s.type === "mxid");
  const tpids = subjects.filter((s) => s.type !== "mxid");
  if (mxids.length) {
    const mx = (v: unknown) => (typeof v === "string" ? `mxid:${v}` : null);
    await passOver(db, "local_threepid_associations", "id, mxid", (r) => bump(counts, mx(r.mxid), "bindings"));
    await passOver(db, "global_threepid_associations", "id, mxid", (r) => bump(counts, mx(r.mxid), "globalRows"));
    await passOver(db, "invite_tokens", "id, sender", (r) => bump(counts, mx(r.sender), "invites"));
    const acct = db.prepare("SELECT 1 FROM accounts WHERE user_id = ?");
    for (const s of mxids) if (acct.get(s.value)) counts.get(subjectKey(s))!.accounts++;
  }
  if (tpids.length) {
    const local = db.prepare("SELECT count(*) AS n FROM local_threepid_associations WHERE medium = ? AND address = ? AND mxid IS NOT NULL");
    const global = db.prepare(`SELECT medium, address FROM global_threepid_associations${byLowerAddress(db)} WHERE medium = ? AND lower(address) = ?`);
    const invites = db.prepare("SELECT count(*) AS n FROM invite_tokens WHERE medium = ? AND address = ?");
    for (const s of tpids) {
      const c = counts.get(subjectKey(s))!;
      c.bindings += (local.get(s.type, s.value) as { n: number }).n;
      const g = global.all(s.type, s.value.replace(/[A-Z]/g, (x) => x.toLowerCase())) as { medium: string; address: string }[];
      c.globalRows += g.filter((r) => keyOf(r.medium, r.address) === subjectKey(s)).length;
      c.invites += (invites.get(s.type, s.value) as { n: number }).n;
    }
    await tick();
    // Sessions keep the address as typed, without an index: one pass, compared normalised.
    await passOver(db, "threepid_validation_sessions", "id, medium, address", (r) => bump(counts, keyOf(String(r.medium), String(r.address)), "sessions"));
  }
  return counts;
}

/** Per subject (same order), what each server holds; a server that cannot be read is named. */
export async function dryRunSubjects(subjects: BulkSubject[], servers: DryServer[]): Promise<RowFinding[]> {
  const out: RowFinding[] = subjects.map(() => ({ held: false, perServer: [] }));
  for (const server of servers) {
    const problem = server.dbPath ? checkFile(server.dbPath) : { message: "no database file registered" };
    let counts: Map<string, HeldCounts> | null = null;
    let error = problem?.message;
    if (!problem) {
      try {
        counts = await countOnServer(sydentRaw(server.dbPath), subjects);
      } catch (e) {
        error = classifyError(e, server.dbPath).message;
      }
    }
    subjects.forEach((s, i) => {
      if (!counts) return void out[i].perServer.push({ label: server.label, error: error ?? "unreadable" });
      const c = counts.get(subjectKey(s))!;
      out[i].perServer.push({ label: server.label, counts: c });
      if (Object.values(c).some((n) => n > 0)) out[i].held = true;
    });
  }
  return out;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The row's message: counts per server, no identifier. */
export function describeFinding(f: RowFinding): string {
  const parts = f.perServer.map((p) => {
    if (p.error) return `${p.label}: not checked (${p.error.slice(0, 120)})`;
    const c = p.counts!;
    const bits = [
      c.bindings && plural(c.bindings, "binding"),
      c.globalRows && plural(c.globalRows, "global row"),
      c.invites && plural(c.invites, "invite"),
      c.sessions && plural(c.sessions, "validation session"),
      c.accounts && plural(c.accounts, "v2 account"),
    ].filter(Boolean);
    return `${p.label}: ${bits.length ? bits.join(", ") : "nothing"}`;
  });
  if (!f.held && f.perServer.every((p) => !p.error)) return `Nothing held on any server (${f.perServer.map((p) => p.label).join(", ") || "none registered"}).`;
  return parts.join("; ");
}
