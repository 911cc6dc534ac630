import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { useTempConsoleDb } from "@/lib/bench/setup";
import { interleaved, summarise, timeIt, type Summary } from "@/lib/bench/stats";

// npm run bench -- --only blocks [--block-count 100000] [--iterations 2000]
// One Debian HAProxy with two frontends on the same backend: one carries Custodian's block lines
// (100,000 CIDR blocks loaded), the other none. Requests alternate between them (same run, same
// process), so the ratio is the cost of the block lists per request. Also timed: a full
// blocks:sync of all entries into an empty HAProxy (prepare + add x N + commit) and one block
// created while N are in place.

export type BlocksBenchResult = {
  startedAt: string;
  blockCount: number;
  iterations: number;
  plain: Summary;
  blocked: Summary;
  ratio: number;
  syncMs: number;
  oneChangeMs: number;
  haproxy: string;
};

function randomCidr(i: number): string {
  // Deterministic public-looking IPv4 ranges (never loopback), /24 to /32.
  const a = 1 + ((i * 2654435761) >>> 0) % 223;
  const first = a === 127 ? 128 : a;
  const bits = 24 + (i % 9);
  const n = ((i * 40503) >>> 0) & 0xffffff;
  const addr = ((first << 24) | n) >>> 0;
  const mask = bits === 32 ? 0xffffffff : ~((1 << (32 - bits)) - 1) >>> 0;
  const net = (addr & mask) >>> 0;
  const ip = [net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join(".");
  return bits === 32 ? ip : `${ip}/${bits}`;
}

function get(agent: http.Agent, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: "/_matrix/identity/v2", agent }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end();
  });
}

export async function runBlocksBench(o: { blockCount: number; iterations: number; onProgress(m: string): void }): Promise<BlocksBenchResult> {
  const startedAt = new Date().toISOString();
  const tmp = await useTempConsoleDb();
  const dir = path.join(tmp.dataDir, "haproxy");
  process.env.CUSTODIAN_HAPROXY_SOCKET = path.join(tmp.dataDir, "admin.sock");
  process.env.CUSTODIAN_HAPROXY_BLOCK_DIR = dir;
  const { resetEnvCache } = await import("@/lib/env");
  resetEnvCache();
  const { db } = await import("@/lib/db");
  const { ensureListFiles } = await import("@/lib/blocks/lists");
  const { haproxyFrontendLines } = await import("@/lib/blocks/haproxy-config");
  const { syncBlocks } = await import("@/lib/blocks/sync");
  const { createBlock } = await import("@/lib/blocks/service");
  const { HAPROXY_BIN, startStandIn } = await import("@/lib/blocks/test-haproxy");
  const backend = await startStandIn(18690);
  ensureListFiles(dir);
  const cfg = [
    "global", `\tstats socket ${process.env.CUSTODIAN_HAPROXY_SOCKET} mode 600 level admin`,
    "defaults", "\tmode http", "\ttimeout connect 5s", "\ttimeout client 30s", "\ttimeout server 30s",
    "frontend fe_blocks", "\tbind 127.0.0.1:18691", ...haproxyFrontendLines(dir).map((l) => `\t${l}`), "\tdefault_backend be",
    "frontend fe_plain", "\tbind 127.0.0.1:18692", "\tdefault_backend be",
    "backend be", "\tserver s1 127.0.0.1:18690", "",
  ].join("\n");
  fs.writeFileSync(path.join(tmp.dataDir, "haproxy.cfg"), cfg);
  const hp = spawn(HAPROXY_BIN, ["-db", "-f", path.join(tmp.dataDir, "haproxy.cfg")], { stdio: "ignore" });
  const actor = { id: null, label: "system:bench", role: "system" };
  try {
    for (let i = 0; i < 100 && !fs.existsSync(process.env.CUSTODIAN_HAPROXY_SOCKET); i++) await new Promise((r) => setTimeout(r, 50));
    o.onProgress(`storing ${o.blockCount} CIDR blocks in the console database`);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + 7 * 86_400_000);
    const values = [...new Set(Array.from({ length: o.blockCount * 2 }, (_, i) => randomCidr(i + 1)))].slice(0, o.blockCount);
    for (let i = 0; i < values.length; i += 1000) {
      await db().abuseBlock.createMany({
        data: values.slice(i, i + 1000).map((value) => ({ kind: "ip", value, scope: "all", reason: "benchmark block", state: "active", createdById: "bench", startsAt: now, expiresAt })),
      });
    }
    o.onProgress("full sync into HAProxy (files + prepare/add/commit)");
    let sync: Awaited<ReturnType<typeof syncBlocks>> | null = null;
    const syncMs = await timeIt(async () => (sync = await syncBlocks(actor, { repair: true })));
    if (!sync || !(sync as { ok: boolean }).ok) throw new Error(`sync failed: ${JSON.stringify(sync)}`);
    o.onProgress("one block created with all of them in place");
    const oneChangeMs = await timeIt(() => createBlock(actor, { kind: "ip", target: "198.18.0.1", scope: "all", reason: "benchmark single change", expiresAt: expiresAt.toISOString() }));
    o.onProgress(`${o.iterations} requests to each frontend, interleaved`);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const rounds = Array.from({ length: o.iterations }, (_, i) => i);
    const samples = await interleaved(rounds, { blocked: () => get(agent, 18691), plain: () => get(agent, 18692) }, 50);
    agent.destroy();
    const plain = summarise(samples.plain);
    const blocked = summarise(samples.blocked);
    return {
      startedAt, blockCount: values.length, iterations: o.iterations, plain, blocked,
      ratio: Math.round((blocked.medianMs / plain.medianMs) * 100) / 100,
      syncMs: Math.round(syncMs), oneChangeMs: Math.round(oneChangeMs), haproxy: HAPROXY_BIN,
    };
  } finally {
    hp.kill("SIGTERM");
    await backend.close();
    await tmp.cleanup();
  }
}

export function renderBlocksReport(r: BlocksBenchResult): string {
  return [
    `HAProxy abuse blocks (${r.blockCount} CIDR blocks, ${r.iterations} requests per frontend, interleaved)`,
    `  request latency, no block lines:        median ${r.plain.medianMs} ms, p95 ${r.plain.p95Ms} ms`,
    `  request latency, ${r.blockCount} blocks loaded: median ${r.blocked.medianMs} ms, p95 ${r.blocked.p95Ms} ms`,
    `  ratio (blocks / none, medians):         ${r.ratio}`,
    `  full sync of ${r.blockCount} entries:         ${r.syncMs} ms`,
    `  one block created with them in place:   ${r.oneChangeMs} ms`,
  ].join("\n");
}
