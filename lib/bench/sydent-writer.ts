import crypto from "node:crypto";
import Database from "better-sqlite3";

// A stand-in for a live Sydent, run as a separate PROCESS by the benchmark (child_process.fork).
// It writes the way Sydent's bind does (sydent.md 1 and 2.1): its own connection, the database's
// rollback journal left as it is (never changed here), a 5 s busy timeout (Python sqlite3's
// default), and one short transaction per binding every ~5 ms:
//   BEGIN; INSERT OR REPLACE INTO local_threepid_associations (new random 3PID);
//   INSERT OR REPLACE INTO global_threepid_associations (originServer = own, originId = that id); COMMIT
// It measures, per phase named by the parent, the time from the BEGIN attempt to COMMIT done and
// counts "database is locked" (SQLITE_BUSY) errors. Only ever run against a COPY of a database.
//
// argv: <db file> <own server name> [interval ms]. Parent messages: {cmd:"phase",name}, {cmd:"stop"}.
// Child messages: {type:"ready"}, {type:"phase", stats: WriterPhaseStats}.

export type WriterPhaseStats = {
  phase: string;
  transactions: number;
  busyErrors: number;
  otherErrors: string[];
  maxWaitMs: number;
  medianWaitMs: number;
  p99WaitMs: number;
  /** Transactions that waited >= 1 s or failed busy (first 20): wall-clock start (epoch ms), for attribution. */
  slow?: { atMs: number; waitMs: number; busy: boolean }[];
};

const [file, ownServer, intervalArg] = process.argv.slice(2);
const intervalMs = Number(intervalArg ?? 5);
const HUNDRED_YEARS_MS = 100 * 365 * 86_400_000;

const conn = new Database(file, { fileMustExist: true, timeout: 5000 });
const insLocal = conn.prepare(`INSERT OR REPLACE INTO local_threepid_associations
  (medium, address, lookup_hash, mxid, ts, notBefore, notAfter) VALUES (?, ?, ?, ?, ?, ?, ?)`);
const insGlobal = conn.prepare(`INSERT OR REPLACE INTO global_threepid_associations
  (medium, address, lookup_hash, mxid, ts, notBefore, notAfter, originServer, originId, sgAssoc)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

let phase = "idle";
let waits: number[] = [];
let busy = 0;
let other: string[] = [];
let slow: { atMs: number; waitMs: number; busy: boolean }[] = [];
let n = 0;
let stopping = false;

function isBusy(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === "SQLITE_BUSY" || /database is locked/i.test(err?.message ?? "");
}

function bindOnce(): void {
  n += 1;
  const now = Date.now();
  const email = `writer-${process.pid}-${n}-${crypto.randomBytes(4).toString("hex")}@bench.invalid`;
  const mxid = `@writer${n}:bench.invalid`;
  const hash = crypto.randomBytes(32).toString("base64url");
  const sgAssoc = JSON.stringify({
    medium: "email", address: email, mxid, ts: now, not_before: now, not_after: now + HUNDRED_YEARS_MS,
    signatures: { [ownServer]: { "ed25519:0": crypto.randomBytes(64).toString("base64").replace(/=+$/, "") } },
  });
  const start = performance.now();
  const atMs = Date.now();
  const note = (busyErr: boolean) => {
    const w = performance.now() - start;
    if ((w >= 1000 || busyErr) && slow.length < 20) slow.push({ atMs, waitMs: Math.round(w), busy: busyErr });
  };
  try {
    conn.exec("BEGIN");
    try {
      const local = insLocal.run("email", email, hash, mxid, now, now, now + HUNDRED_YEARS_MS);
      insGlobal.run("email", email, hash, mxid, now, now, now + HUNDRED_YEARS_MS, ownServer, Number(local.lastInsertRowid), sgAssoc);
      conn.exec("COMMIT");
    } catch (e) {
      if (conn.inTransaction) conn.exec("ROLLBACK");
      throw e;
    }
    waits.push(performance.now() - start);
    note(false);
  } catch (e) {
    note(isBusy(e));
    if (isBusy(e)) busy += 1;
    else if (other.length < 5) other.push(e instanceof Error ? e.message : String(e));
    waits.push(performance.now() - start);
  }
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function flush(): WriterPhaseStats {
  const sorted = [...waits].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  const stats: WriterPhaseStats = {
    phase,
    transactions: waits.length,
    busyErrors: busy,
    otherErrors: other,
    maxWaitMs: r(sorted.at(-1) ?? 0),
    medianWaitMs: r(quantile(sorted, 0.5)),
    p99WaitMs: r(quantile(sorted, 0.99)),
    slow,
  };
  slow = [];
  waits = [];
  busy = 0;
  other = [];
  return stats;
}

process.on("message", (m: { cmd: string; name?: string }) => {
  if (m.cmd === "phase") {
    process.send?.({ type: "phase", stats: flush() });
    phase = m.name ?? "unnamed";
  } else if (m.cmd === "stop") {
    stopping = true;
  }
});

async function loop(): Promise<void> {
  process.send?.({ type: "ready" });
  while (!stopping) {
    bindOnce();
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  process.send?.({ type: "phase", stats: flush() }, () => {
    conn.close();
    process.exit(0);
  });
}

void loop();
