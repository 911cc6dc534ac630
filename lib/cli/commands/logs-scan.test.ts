import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { fixtureServers, mentions, plainLines, truthLogs } from "@/lib/logs/test-helpers";
import { seedStaff } from "@/lib/requests/testing";
import { copyFixture, INSTANCES, tempDir, truth } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// logs:scan through the real command line: counts and line numbers only (lines hold other
// people's data), the same permission rules as the subject search, one "logs.search" entry.

const ctx = useTestConsoleDb();
const dir = tempDir();
const alice = truthLogs.subjects.find((s) => s.key === "alice")!;
const email = alice.threepids.find((t) => t.medium === "email")!.address;
let support: Awaited<ReturnType<typeof seedStaff>>;
let dpo: Awaited<ReturnType<typeof seedStaff>>;

beforeAll(async () => {
  for (const [k, cfg] of fixtureServers().entries()) {
    const i = INSTANCES[k];
    await db().identityServer.create({
      data: { label: i, serverName: truth.instances[i].server_name, dbPath: copyFixture(i, dir), sydentLogPaths: JSON.stringify(cfg.sydentLogPaths), haproxyLogPaths: JSON.stringify(cfg.haproxyLogPaths) },
    });
  }
  support = await seedStaff("support");
  dpo = await seedStaff("dpo");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "lib/cli/index.ts", "logs:scan", ...args], {
    encoding: "utf8",
    env: { ...process.env, CONSOLE_DATABASE_URL: ctx.current.url, CUSTODIAN_DATA_DIR: ctx.current.dataDir },
  });
  return { code: r.status, out: r.stdout, json: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}
const entries = (actorId: string) => db().accessLogEntry.findMany({ where: { actorId }, orderBy: { seq: "asc" } });

describe("logs:scan", () => {
  it("an email typed differently: the right line counts, no line text, one logs.search entry", async () => {
    const r = cli("--operator", support.email, "--email", email.toUpperCase());
    expect(r.code, r.stderr).toBe(0);
    const n = { emails: [email], msisdns: [], mxids: [], sids: [] };
    const files = [...new Set(fixtureServers().flatMap((s) => [...s.sydentLogPaths, ...s.haproxyLogPaths]))];
    let expected = 0;
    for (const pattern of files) {
      const d = path.dirname(pattern);
      for (const f of fs.readdirSync(d).filter((x) => x.startsWith(path.basename(pattern).replace("*", "")))) {
        expected += plainLines(path.join(d, f)).filter((l) => mentions(l, d.endsWith("haproxy") ? "haproxy" : "sydent", n)).length;
      }
    }
    expect(r.json.matches).toBe(expected);
    expect(r.json.filesSearched).toBe(truthLogs.log_files.length);
    expect(r.out.toLowerCase()).not.toContain(email);
    expect(r.out).not.toContain("%40");
    const log = await entries(support.id);
    expect(log.map((e) => [e.action, e.outcome])).toEqual([["logs.search", "ok"]]);
    expect(log[0].targetPseudonym).toBe(pseudonymFor("email", email));
  });

  it("support may not search by Matrix ID: refused and logged; a DPO may", async () => {
    const refused = cli("--operator", support.email, "--mxid", alice.mxid!);
    expect(refused.code).toBe(1);
    expect((await entries(support.id)).at(-1)).toMatchObject({ action: "logs.search", outcome: "denied" });
    const ok = cli("--operator", dpo.email, "--mxid", alice.mxid!, "--server", "is1");
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json.matches).toBeGreaterThan(0);
    expect(ok.out).not.toContain(alice.mxid!);
  });

  it("an identifier that does not parse: exit 2, logged as invalid without it", async () => {
    const r = cli("--operator", support.email, "--phone", "not a number");
    expect(r.code).toBe(2);
    expect((await entries(support.id)).at(-1)).toMatchObject({ action: "logs.search", outcome: "invalid" });
  });
});
