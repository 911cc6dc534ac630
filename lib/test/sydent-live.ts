import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { FIXTURE_DIR } from "@/lib/sydent/test-fixtures";

// Two real, replicating Sydent 2.7.0 servers for the live suite (`*.live.test.ts`), started by the
// kit in ../shared/tools/sydent-live (SYDENT_LIVE_KIT overrides). The kit is not part of this
// repository: without it the live suite reports itself as not run (kitMissingReason()).
// Ports: SYDENT_LIVE_PORT_BASE (default 28090: is1 client N, internal N+1; is2 N+2, N+3) and
// SYDENT_LIVE_HS_PORT (default 8448, the stub homeserver the fixtures' Matrix IDs live on).

const run = promisify(execFile);

export const KIT_DIR = path.resolve(process.env.SYDENT_LIVE_KIT ?? "../shared/tools/sydent-live");

/** Why the live suite cannot run here, or null when the kit and Debian's python3 are present. */
export function kitMissingReason(): string | null {
  for (const f of ["start", "stop", "load", "sydent-errors", "sydent-2.7.0.tar.gz"]) {
    if (!fs.existsSync(path.join(KIT_DIR, f))) {
      return `the live-Sydent kit is not at ${KIT_DIR} (missing ${f}); it sits beside the clone as ../shared/tools/sydent-live, or set SYDENT_LIVE_KIT`;
    }
  }
  if (!fs.existsSync("/usr/bin/python3")) return "Debian's /usr/bin/python3 is missing (run the kit's install-deps)";
  return null;
}

export type LiveInstanceName = "is1" | "is2";

export type LiveInstance = {
  server_name: string;
  client_url: string;
  internal_url: string;
  replication_url: string;
  db: string;
  log: string;
  console_log: string;
  config: string;
  pid: number;
  verify_key: string;
};

export type LiveState = {
  dir: string;
  instances: Record<LiveInstanceName, LiveInstance>;
  homeserver_stub: { server_name: string; url: string; pid: number; onbind_log?: string };
  smtp_sink: { port: number; pid: number; maildir: string };
};

export type LoadKindStats = { requests: number; failures: number; p50_ms: number; p99_ms: number; max_ms: number };
export type LoadResult = {
  requests: number;
  failures: number;
  failures_by_kind_status: Record<string, number>;
  mismatches: Record<string, unknown>;
  by_kind: Record<string, LoadKindStats>;
};

export type ErrorCounts = { error: number; traceback: number; database_is_locked: number; already_exists: number };
export type ErrorReport = {
  totals: ErrorCounts;
  console_totals: ErrorCounts;
  errors_total: number;
  console_errors_total: number;
  instances: Record<LiveInstanceName, { first: Record<string, string[]>; console: { first: Record<string, string[]> } }>;
};

export type StartOptions = {
  /** Database files to copy for is1 and is2 (default: the real fixture's). Never used in place. */
  dbs?: { is1: string; is2: string };
  portBase?: number;
  hsPort?: number;
};

async function kit(cmd: string, args: string[], timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout } = await run(path.join(KIT_DIR, cmd), args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: number; message: string };
    // `--check` exits 1 with its JSON on stdout: the caller reads the report.
    if (err.code === 1 && err.stdout?.trim().startsWith("{")) return err.stdout;
    throw new Error(`sydent-live ${cmd} failed (exit ${err.code}): ${err.stderr?.slice(-2000) ?? err.message}`);
  }
}

export class LiveSydent {
  private constructor(
    readonly workDir: string,
    readonly runDir: string,
    private readonly opts: { portBase: number; hsPort: number },
    public state: LiveState,
  ) {}

  /** Copies the databases into a fresh folder and starts both servers (about 2 s). */
  static async start(options: StartOptions = {}): Promise<LiveSydent> {
    const missing = kitMissingReason();
    if (missing) throw new Error(missing);
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-live-"));
    const dbs = options.dbs ?? { is1: path.join(FIXTURE_DIR, "is1.db"), is2: path.join(FIXTURE_DIR, "is2.db") };
    fs.copyFileSync(dbs.is1, path.join(workDir, "is1.db"));
    fs.copyFileSync(dbs.is2, path.join(workDir, "is2.db"));
    const opts = {
      portBase: options.portBase ?? Number(process.env.SYDENT_LIVE_PORT_BASE ?? 28090),
      hsPort: options.hsPort ?? Number(process.env.SYDENT_LIVE_HS_PORT ?? 8448),
    };
    const live = new LiveSydent(workDir, path.join(workDir, "run"), opts, undefined as unknown as LiveState);
    await live.startProcesses();
    return live;
  }

  private async startProcesses(): Promise<void> {
    const out = await kit("start", [
      "--dir", this.runDir,
      "--db1", path.join(this.workDir, "is1.db"),
      "--db2", path.join(this.workDir, "is2.db"),
      "--port-base", String(this.opts.portBase),
      "--hs-port", String(this.opts.hsPort),
    ]);
    this.state = JSON.parse(out) as LiveState;
  }

  instance(name: LiveInstanceName): LiveInstance {
    return this.state.instances[name];
  }

  /** Stops both servers (SIGTERM); the databases stay. */
  async stop(): Promise<void> {
    await kit("stop", ["--dir", this.runDir]);
  }

  /** Stops and starts both servers on the same databases and ports. */
  async restart(): Promise<void> {
    await this.stop();
    await this.startProcesses();
  }

  /** The kit's bounded load driver (R req/s for S s against both servers); resolves when done. */
  async load(rate: number, seconds: number, seed = 1): Promise<LoadResult> {
    const out = await kit("load", ["--dir", this.runDir, "--rate", String(rate), "--seconds", String(seconds), "--seed", String(seed)], (seconds + 120) * 1000);
    return JSON.parse(out) as LoadResult;
  }

  /** Error lines in both servers' logs (ERROR/CRITICAL, tracebacks, "database is locked", "already exists"). */
  async errors(sinceIso?: string): Promise<ErrorReport> {
    const out = await kit("sydent-errors", ["--dir", this.runDir, "--first", "5", ...(sinceIso ? ["--since", sinceIso] : [])]);
    return JSON.parse(out) as ErrorReport;
  }

  /** Stops the servers and removes the working folder. */
  async dispose(): Promise<void> {
    try {
      await this.stop();
    } finally {
      fs.rmSync(this.workDir, { recursive: true, force: true });
    }
  }
}
