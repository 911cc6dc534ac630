import fs from "node:fs";
import path from "node:path";
import { probeSydent } from "@/lib/servers/api-urls";

// Is a Sydent process using this database right now? Asked before EVERY direct write Custodian
// makes to an identity database (ARCHITECTURE.md "Erasure: writing without harming Sydent").
// API: proveStopped(server) -> {stopped: true, evidence} | {stopped: false, reason}
// A server counts as stopped only when all of these hold:
//   1. each registered Sydent URL (client API, internal API) refuses the connection: an answer
//      means Sydent runs; silence without a refusal (a timeout) is a hung process that may still
//      hold the file, so it is not proof either;
//   2. no Sydent (Python) process on this host has the database file (or its journal) open
//      (/proc/<pid>/fd; other holders and processes that could not be inspected are named in the evidence);
//   3. no rollback journal or WAL file beside it (a writer is, or was, in the middle of a write).
// Sydent on another host is only covered by 1 and 3: register its URLs.

export type StoppedProof = { stopped: true; evidence: string[] } | { stopped: false; reason: string };
type ServerLike = { label: string; dbPath: string; clientApiUrl?: string | null; internalApiUrl?: string | null };

/** Pids (not ours) holding one of these files open, and how many processes could not be inspected. */
export function holdersOf(files: string[]): { pids: { pid: number; comm: string; cmdline: string }[]; uninspectable: number } {
  const wanted = new Set(files.flatMap((f) => { try { return [fs.realpathSync(f)]; } catch { return [path.resolve(f)]; } }));
  const pids: { pid: number; comm: string; cmdline: string }[] = [];
  let uninspectable = 0;
  let entries: string[] = [];
  try {
    entries = fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return { pids, uninspectable: -1 };
  }
  for (const d of entries) {
    const pid = Number(d);
    if (pid === process.pid) continue;
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${d}/fd`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") uninspectable++;
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = fs.readlinkSync(`/proc/${d}/fd/${fd}`);
      } catch {
        continue;
      }
      if (wanted.has(target)) {
        let comm = "?";
        let cmdline = "";
        try {
          comm = fs.readFileSync(`/proc/${d}/comm`, "utf8").trim();
          cmdline = fs.readFileSync(`/proc/${d}/cmdline`, "utf8").replace(/\0/g, " ").trim();
        } catch { /* exited */ }
        pids.push({ pid, comm, cmdline });
        break;
      }
    }
  }
  return { pids, uninspectable };
}

/** Sydent runs as Python (`python3 -m sydent.sydent`, the container's entry point): a Python process or Sydent's module. */
export function isSydentProcess(comm: string, cmdline: string): boolean {
  const argv0 = path.basename(cmdline.split(" ")[0] ?? "");
  return /^python/i.test(comm) || /^python/i.test(argv0) || /\bsydent[./]sydent\b/.test(cmdline);
}

export async function proveStopped(server: ServerLike): Promise<StoppedProof> {
  const evidence: string[] = [];
  for (const [kind, url] of [["client", server.clientApiUrl], ["internal", server.internalApiUrl]] as const) {
    if (!url) {
      evidence.push(`no ${kind} API URL registered`);
      continue;
    }
    const p = await probeSydent(url, kind, 1500);
    if (p.answers) return { stopped: false, reason: `${server.label}: Sydent's ${kind} API answers (HTTP ${p.status}), so Sydent is running` };
    if (!/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH/.test(p.error ?? "")) {
      return { stopped: false, reason: `${server.label}: Sydent's ${kind} API neither answers nor refuses (${p.error}); a hung Sydent may still hold the database` };
    }
    evidence.push(`${kind} API refuses connections (${p.error})`);
  }
  const files = [server.dbPath, `${server.dbPath}-journal`, `${server.dbPath}-wal`];
  const { pids, uninspectable } = holdersOf(files);
  // Sydent is a Python process; other holders (Custodian's own read-only connections in the web
  // server, an sqlite3 shell) cannot be harmed by a write and are only named in the evidence.
  const sydent = pids.filter((p) => isSydentProcess(p.comm, p.cmdline));
  if (sydent.length) {
    return { stopped: false, reason: `${server.label}: the database file is open in a Sydent process (${sydent.slice(0, 3).map((p) => `${p.comm} pid ${p.pid}`).join(", ")})` };
  }
  if (pids.length) evidence.push(`also open (not Sydent): ${pids.slice(0, 3).map((p) => `${p.comm} pid ${p.pid}`).join(", ")}`);
  evidence.push(uninspectable < 0 ? "open files could not be inspected (no /proc)" : `no other process has the file open${uninspectable ? ` (${uninspectable} processes not inspectable)` : ""}`);
  for (const f of files.slice(1)) {
    if (fs.existsSync(f)) return { stopped: false, reason: `${server.label}: ${path.basename(f)} exists beside the database (a write is in progress or was interrupted)` };
  }
  evidence.push("no journal beside the file");
  return { stopped: true, evidence };
}
