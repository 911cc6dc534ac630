import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedStaff } from "@/lib/requests/testing";
import { copyFixture, tempDir, truth } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// The real command line: server:register with Sydent's API URLs (a public internal API refused),
// server:mode (declared stopped only when proven, then live), server:check reporting the APIs.

const ctx = useTestConsoleDb();
const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let admin = "";
beforeAll(async () => {
  admin = (await seedStaff("admin")).email;
});

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "lib/cli/index.ts", ...args], { encoding: "utf8", env: { ...process.env, CONSOLE_DATABASE_URL: ctx.current.url } });
  return { code: r.status, json: r.stdout.trim().startsWith("{") ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

describe("server:register, server:mode, server:check with Sydent's APIs", () => {
  it("refuses a public internal API, registers a loopback one, declares stopped and live, and checks the APIs", () => {
    const file = copyFixture("is2", dir);
    const base = ["server:register", "--operator", admin, "--label", "is2", "--server-name", truth.instances.is2.server_name, "--db", file];
    const pub = cli(...base, "--internal-api", "http://203.0.113.9:8091");
    expect(pub.code).toBe(1);
    expect(pub.stderr).toMatch(/203\.0\.113\.9 is a public address/);
    const ok = cli(...base, "--client-api", "http://127.0.0.1:47", "--internal-api", "http://127.0.0.1:47");
    expect(ok.code, ok.stderr).toBe(0);

    const noNote = cli("server:mode", "--operator", admin, "--server", "is2", "--mode", "stopped");
    expect(noNote.code).toBe(1);
    expect(noNote.json.fieldErrors.note[0]).toMatch(/Say why/);
    const stopped = cli("server:mode", "--operator", admin, "--server", "is2", "--mode", "stopped", "--note", "restored from backup");
    expect(stopped.code, stopped.stderr + JSON.stringify(stopped.json)).toBe(0);
    expect(stopped.json.message).toMatch(/is2 declared stopped/);

    const check = cli("server:check", "--server", "is2");
    expect(check.json.servers[0].sydent).toMatchObject({ mode: "stopped", clientApi: { answers: false }, internalApi: { answers: false } });
    expect(check.code).toBe(0);
    const live = cli("server:mode", "--operator", admin, "--server", "is2", "--mode", "live", "--note", "Sydent back");
    expect(live.code).toBe(0);
    // Live, with an internal API that does not answer: erasures would pause, so the check fails.
    expect(cli("server:check", "--server", "is2").code).toBe(1);
  }, 180_000); // nine command-line runs, each its own process: minutes on a loaded 2-core machine
});
