import { spawn } from "node:child_process";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedEnrolledStaff } from "@/lib/auth/testing";
import { totpCode } from "@/lib/auth/totp";
import { db } from "@/lib/db";
import { send, startStandIn, testHaproxy } from "@/lib/blocks/test-haproxy";
import { useTestConsoleDb } from "@/lib/test/console-db";

// The blocks:* commands through the real command line, against Debian's HAProxy: JSON output,
// exit codes, the second person's authenticator code for broad blocks.

const h = testHaproxy({ port: 18631, backend: "127.0.0.1:18630" });
const ctx = useTestConsoleDb();
let backend: { close(): Promise<void> };
let a: Awaited<ReturnType<typeof seedEnrolledStaff>>;
let b: Awaited<ReturnType<typeof seedEnrolledStaff>>;

beforeAll(async () => {
  backend = await startStandIn(18630);
  await h.start();
  a = await seedEnrolledStaff({ role: "support" });
  b = await seedEnrolledStaff({ role: "support" });
});
afterAll(async () => {
  await h.stop();
  await backend.close();
  fs.rmSync(h.dir, { recursive: true, force: true });
});

function cli(command: string, ...args: string[]): Promise<{ code: number | null; json: any; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["--import", "tsx", "lib/cli/index.ts", command, ...args], {
      env: { ...process.env, CONSOLE_DATABASE_URL: ctx.current.url, CUSTODIAN_DATA_DIR: ctx.current.dataDir, CUSTODIAN_HAPROXY_SOCKET: h.socket, CUSTODIAN_HAPROXY_BLOCK_DIR: h.blockDir },
    });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("exit", (code) => resolve({ code, json: out ? JSON.parse(out) : null, stderr: err }));
  });
}

describe("blocks:* commands", () => {
  it("add, list, lift: JSON out, enforced by HAProxy in between", async () => {
    const add = await cli("blocks:add", "--operator", a.email, "--kind", "ip", "--target", "127.0.0.20", "--reason", "Scraping lookups all night", "--expires", "2d");
    expect(add.code, add.stderr).toBe(0);
    expect(add.json).toMatchObject({ ok: true, state: "active" });
    expect((await send(h.url, { from: "127.0.0.20" })).status).toBe(403);
    const list = await cli("blocks:list", "--operator", a.email);
    expect(list.json.blocks.map((x: { value: string }) => x.value)).toContain("127.0.0.20");
    const lift = await cli("blocks:lift", "--operator", a.email, "--id", add.json.id, "--reason", "Scraper stopped, reporter agrees");
    expect(lift.json).toMatchObject({ ok: true, state: "lifted" });
    expect((await send(h.url, { from: "127.0.0.20" })).status).toBe(200);
  });

  it("bad input: specific error, exit 1, nothing stored", async () => {
    const r = await cli("blocks:add", "--operator", a.email, "--kind", "msisdn", "--target", "07700900123", "--reason", "SMS bombing of one number", "--expires", "2d");
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ ok: false, code: "invalid", message: expect.stringMatching(/country code/) });
    expect(await db().abuseBlock.count({ where: { value: { contains: "7700900123" } } })).toBe(0);
  });

  it("a broad block needs a second person with their authenticator code", async () => {
    const add = await cli("blocks:add", "--operator", a.email, "--kind", "ip", "--target", "127.2.0.0/15", "--reason", "Botnet range flooding requestToken", "--expires", "1d");
    expect(add.json).toMatchObject({ ok: true, state: "pending" });
    expect((await send(h.url, { from: "127.2.0.9" })).status).toBe(200);
    const noCode = await cli("blocks:approve", "--operator", b.email, "--id", add.json.id);
    expect(noCode.code).toBe(1);
    const self = await cli("blocks:approve", "--operator", a.email, "--id", add.json.id, "--code", totpCode(a.totpSecret));
    expect(self.json).toMatchObject({ ok: false, code: "same-person" });
    const ok = await cli("blocks:approve", "--operator", b.email, "--id", add.json.id, "--code", totpCode(b.totpSecret));
    expect(ok.json).toMatchObject({ ok: true, state: "active" });
    expect((await send(h.url, { from: "127.2.0.9" })).status).toBe(403);
    const sync = await cli("blocks:sync", "--check");
    expect(sync).toMatchObject({ code: 0, json: { ok: true, inSync: true } });
  });
});
