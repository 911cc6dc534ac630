import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { haproxyFrontendLines, haproxyGlobalLines } from "@/lib/blocks/haproxy-config";
import { ensureListFiles } from "@/lib/blocks/lists";

// Debian's real HAProxy for tests: a temp config with Custodian's generated lines, an admin
// socket, on loopback, in front of a backend (a small stand-in server, or a live Sydent).

export const HAPROXY_BIN = fs.existsSync("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : "haproxy";

export type TestHaproxy = {
  dir: string;
  blockDir: string;
  socket: string;
  port: number;
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
};

/** A stand-in backend: answers every request 200 with a small JSON body. */
export async function startStandIn(port: number): Promise<{ close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, path: req.url }));
    });
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return { close: () => new Promise((r) => server.close(() => r())) };
}

export function writeTestConfig(o: { dir: string; blockDir: string; socket: string; port: number; backend: string; extraGlobal?: string[] }): string {
  const cfg = [
    "global",
    ...haproxyGlobalLines(o.socket).map((l) => `\t${l}`),
    ...(o.extraGlobal ?? []).map((l) => `\t${l}`),
    "defaults",
    "\tmode http",
    "\ttimeout connect 5s",
    "\ttimeout client 30s",
    "\ttimeout server 30s",
    "frontend fe_identity",
    `\tbind 127.0.0.1:${o.port}`,
    ...haproxyFrontendLines(o.blockDir).map((l) => `\t${l}`),
    "\tdefault_backend be_sydent",
    "backend be_sydent",
    `\tserver s1 ${o.backend}`,
    "",
  ].join("\n");
  const file = path.join(o.dir, "haproxy.cfg");
  fs.writeFileSync(file, cfg);
  return file;
}

export function testHaproxy(o: { port: number; backend: string; extraGlobal?: string[]; dir?: string; socket?: string }): TestHaproxy {
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "custodian-haproxy-"));
  fs.mkdirSync(dir, { recursive: true });
  const blockDir = path.join(dir, "blocks");
  const socket = o.socket ?? path.join(dir, "admin.sock");
  let child: ChildProcess | null = null;
  const cfg = () => writeTestConfig({ dir, blockDir, socket, port: o.port, backend: o.backend, extraGlobal: o.extraGlobal?.map((l) => l.replaceAll("$DIR", dir)) });
  const h: TestHaproxy = {
    dir,
    blockDir,
    socket,
    port: o.port,
    url: `http://127.0.0.1:${o.port}`,
    async start() {
      ensureListFiles(blockDir);
      const file = cfg();
      fs.rmSync(socket, { force: true });
      const p = spawn(HAPROXY_BIN, ["-db", "-f", file], { stdio: ["ignore", "ignore", "pipe"] });
      child = p;
      let stderr = "";
      p.stderr?.on("data", (d) => (stderr += d));
      for (let i = 0; i < 100; i++) {
        if (p.exitCode !== null) throw new Error(`HAProxy exited at start: ${stderr}`);
        if (fs.existsSync(socket)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`HAProxy did not open its admin socket: ${stderr}`);
    },
    async stop() {
      const p = child;
      child = null;
      if (!p || p.exitCode !== null) return;
      await new Promise<void>((r) => {
        p.once("exit", () => r());
        p.kill("SIGTERM");
      });
      fs.rmSync(socket, { force: true });
    },
  };
  return h;
}

/** One request through HAProxy from a chosen loopback source address. */
export async function send(
  url: string,
  o: { path?: string; body?: unknown; from?: string; method?: string } = {},
): Promise<{ status: number; json: unknown }> {
  const u = new URL(o.path ?? "/_matrix/identity/v2", url);
  const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: o.method ?? (payload ? "POST" : "GET"),
        localAddress: o.from,
        headers: payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {},
        agent: false,
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let json: unknown = null;
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}
