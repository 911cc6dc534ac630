import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { WriterPhaseStats } from "@/lib/bench/sydent-writer";

// Parent side of the Sydent-like writer: forks lib/bench/sydent-writer.ts as its own Node process
// (through tsx), names the benchmark phase it is writing during, and collects the writer's
// per-phase statistics (longest wait, "database is locked" count).

const here = path.dirname(fileURLToPath(import.meta.url));

export type WriterHandle = {
  /** Ends the current phase (its stats are collected) and starts `name`. */
  phase(name: string): Promise<void>;
  /** Stops the writer; resolves with the stats of every phase but "idle". */
  stop(): Promise<WriterPhaseStats[]>;
  pid: number;
};

export async function startWriter(dbFile: string, ownServer: string, intervalMs = 5): Promise<WriterHandle> {
  const child: ChildProcess = fork(path.join(here, "sydent-writer.ts"), [dbFile, ownServer, String(intervalMs)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const collected: WriterPhaseStats[] = [];
  let waiting: (() => void) | null = null;
  let exited = false;
  const ready = new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`writer exited early (code ${code})`)));
    child.on("message", (m: { type: string; stats?: WriterPhaseStats }) => {
      if (m.type === "ready") resolve();
      if (m.type === "phase" && m.stats) {
        if (m.stats.phase !== "idle") collected.push(m.stats);
        waiting?.();
        waiting = null;
      }
    });
  });
  child.on("exit", () => {
    exited = true;
    waiting?.();
  });
  await ready;
  const request = (msg: object) =>
    new Promise<void>((resolve) => {
      if (exited) return resolve();
      waiting = resolve;
      child.send(msg);
    });
  return {
    pid: child.pid ?? -1,
    phase: (name) => request({ cmd: "phase", name }),
    stop: async () => {
      const done = new Promise<void>((resolve) => (exited ? resolve() : child.once("exit", () => resolve())));
      await request({ cmd: "stop" });
      await done;
      return collected;
    },
  };
}
