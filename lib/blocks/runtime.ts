import net from "node:net";

// HAProxy's runtime API over its admin socket (management guide §9.3): `show acl`, `add acl`,
// `del acl`, `prepare acl` / `commit acl`. Changes apply to the running process at once, without
// a reload. Many commands go down one connection in interactive ("prompt") mode.

export class HaproxySocketError extends Error {
  constructor(
    public readonly code: "not-configured" | "missing" | "refused" | "permission" | "read-only" | "unknown-list" | "failed" | "timeout",
    message: string,
  ) {
    super(message);
    this.name = "HaproxySocketError";
  }
}

const TIMEOUT_MS = 60_000;

function connectError(socket: string, e: NodeJS.ErrnoException): HaproxySocketError {
  if (e.code === "ENOENT") return new HaproxySocketError("missing", `HAProxy's admin socket ${socket} does not exist (is HAProxy running with "stats socket ${socket} level admin"?).`);
  if (e.code === "ECONNREFUSED") return new HaproxySocketError("refused", `HAProxy's admin socket ${socket} refuses connections (HAProxy is not running).`);
  if (e.code === "EACCES" || e.code === "EPERM") return new HaproxySocketError("permission", `No permission to open HAProxy's admin socket ${socket}.`);
  return new HaproxySocketError("failed", `HAProxy's admin socket ${socket} failed: ${e.code ?? e.message}.`);
}

/** Sends commands in one session; returns each command's output (prompt markers removed). */
export function runtimeCommands(socket: string, commands: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const conn = net.createConnection(socket);
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new HaproxySocketError("timeout", `HAProxy's admin socket ${socket} did not answer within ${TIMEOUT_MS / 1000} s.`));
    }, TIMEOUT_MS);
    conn.on("error", (e) => {
      clearTimeout(timer);
      reject(connectError(socket, e as NodeJS.ErrnoException));
    });
    conn.on("data", (d) => chunks.push(d));
    conn.on("end", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("utf8");
      // Interactive mode: every answer ends with "\n> ". The first belongs to "prompt" itself.
      const parts = text.split(/\n> /);
      resolve(parts.slice(1, 1 + commands.length).map((p) => p.replace(/^\n/, "")));
    });
    conn.on("connect", () => {
      conn.write("prompt\n");
      for (const c of commands) conn.write(`${c}\n`);
      conn.end("quit\n");
    });
  });
}

/** Raises a specific error for HAProxy's refusals (read-only level, unknown list file). */
function checkAnswer(socket: string, command: string, answer: string): void {
  const a = answer.trim();
  if (!a) return;
  if (/permission denied/i.test(a)) {
    throw new HaproxySocketError("read-only", `HAProxy's admin socket ${socket} is not at "level admin" (it answered "Permission denied"); ACLs cannot be changed through it.`);
  }
  if (/unknown acl identifier/i.test(a)) {
    const file = command.split(" ").pop();
    throw new HaproxySocketError("unknown-list", `HAProxy does not load the block list ${file}: add the lines from blocks:haproxy-config to haproxy.cfg and reload HAProxy once.`);
  }
  if (/^(add|del|commit|clear)/.test(command) && !/^Done\.?$/i.test(a)) {
    throw new HaproxySocketError("failed", `HAProxy refused "${command.split(" ").slice(0, 2).join(" ")}": ${a.split("\n")[0]}`);
  }
}

/** The patterns HAProxy holds for one list file (current version). */
export async function showAcl(socket: string, file: string): Promise<Set<string>> {
  return (await showAcls(socket, [file])).get(file)!;
}

/** The patterns HAProxy holds for several list files, read in one session. */
export async function showAcls(socket: string, files: string[]): Promise<Map<string, Set<string>>> {
  const answers = await runtimeCommands(socket, files.map((f) => `show acl ${f}`));
  const out = new Map<string, Set<string>>();
  files.forEach((file, i) => {
    const answer = answers[i];
    if (answer === undefined) throw new HaproxySocketError("failed", `HAProxy's admin socket ${socket} closed without answering.`);
    checkAnswer(socket, `show acl ${file}`, answer.startsWith("0x") ? "" : answer);
    const set = new Set<string>();
    for (const line of answer.split("\n")) {
      const m = /^0x[0-9a-f]+ (.+)$/.exec(line.trim());
      if (m) set.add(m[1]);
    }
    out.set(file, set);
  });
  return out;
}

/** Adds and deletes single patterns (each one atomic in HAProxy). */
export async function patchAcl(socket: string, file: string, add: string[], del: string[]): Promise<void> {
  if (!add.length && !del.length) return;
  const cmds = [...del.map((p) => `del acl ${file} ${p}`), ...add.map((p) => `add acl ${file} ${p}`)];
  const answers = await runtimeCommands(socket, cmds);
  cmds.forEach((c, i) => checkAnswer(socket, c, answers[i] ?? "no answer"));
}

/** Replaces a whole list in one atomic step: prepare a version, fill it, commit it. */
export async function replaceAcl(socket: string, file: string, patterns: Iterable<string>): Promise<void> {
  const [prep] = await runtimeCommands(socket, [`prepare acl ${file}`]);
  const m = /New version created:\s*(\d+)/.exec(prep ?? "");
  if (!m) {
    checkAnswer(socket, `prepare acl ${file}`, prep ?? "no answer");
    throw new HaproxySocketError("failed", `HAProxy did not prepare a new version of ${file}.`);
  }
  const ver = m[1];
  const cmds = [...patterns].map((p) => `add acl @${ver} ${file} ${p}`);
  cmds.push(`commit acl @${ver} ${file}`);
  const answers = await runtimeCommands(socket, cmds);
  cmds.forEach((c, i) => checkAnswer(socket, c, answers[i] ?? "no answer"));
}
