import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env, parseEnv, resetEnvCache } from "@/lib/env";
import { registerServerSchema } from "@/lib/servers/schemas";
import { expandLogPattern } from "@/lib/logs/files";
import { isInsideLogRoots } from "@/lib/logs/roots";
import { DEFAULT_RETENTION_POLICY } from "@/lib/logs/retention";
import { sha256File } from "@/lib/retention/audit-files";
import { executePlan } from "@/lib/retention/enforce";

// Log globs stay inside CUSTODIAN_LOG_ROOTS (the test configuration: /var/log, /tmp, the repo).

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-roots-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const base = { label: "is9", serverName: "is9.example", dbPath: path.join(dir, "sydent.db") };

describe("log roots", () => {
  it("registering --sydent-log '/etc/*' or a path escaping with .. is refused, naming the setting", () => {
    for (const p of ["/etc/*", "/etc/passwd", "/var/log/../../etc/shadow", "/var/logs-elsewhere/x.log"]) {
      const r = registerServerSchema.safeParse({ ...base, sydentLogPaths: [p] });
      expect(r.success, p).toBe(false);
      expect(r.error?.issues[0].message).toMatch(/inside the configured log roots \(CUSTODIAN_LOG_ROOTS: \/var\/log, \/tmp/);
    }
    expect(registerServerSchema.safeParse({ ...base, sydentLogPaths: ["/var/log/sydent/sydent.log*"], haproxyLogPaths: [path.join(dir, "h.log")] }).success).toBe(true);
  });

  it("reading refuses a pattern outside the roots and skips a symlink that leads out of them", () => {
    expect(expandLogPattern("/etc/*")).toMatchObject({ paths: [], problem: { problem: "bad-pattern", detail: expect.stringMatching(/log roots/) } });
    expect(expandLogPattern("/etc/hostname").problem?.problem).toBe("bad-pattern");
    fs.writeFileSync(path.join(dir, "sydent.log"), "x\n");
    fs.symlinkSync("/etc/hostname", path.join(dir, "sydent.log.1"));
    expect(expandLogPattern(path.join(dir, "sydent.log*")).paths).toEqual([path.join(dir, "sydent.log")]);
    expect(isInsideLogRoots(path.join(dir, "sydent.log.1"))).toBe(false);
  });

  it("by default the roots are /var/log and the demo's folder, not the whole data directory", () => {
    const e = parseEnv({ NODE_ENV: "test", NEXTAUTH_SECRET: "x".repeat(32), CUSTODIAN_MASTER_KEY: "ab".repeat(32), CUSTODIAN_DATA_DIR: "/srv/custodian" });
    expect(e.logRoots).toEqual(["/var/log", "/srv/custodian/demo"]);
  });
});

// The console's own files inside a log root (here the data directory lies under /tmp, one of the
// test roots, as it did under the old default root $CUSTODIAN_DATA_DIR): never log files.
describe("the console's own files are never log files, whatever the roots", () => {
  const data = path.join(dir, "data");
  const saved: Record<string, string | undefined> = {};
  const vars = ["CUSTODIAN_DATA_DIR", "CONSOLE_DATABASE_URL", "CUSTODIAN_CHECKPOINT_KEY_FILE", "CUSTODIAN_HAPROXY_BLOCK_DIR", "CUSTODIAN_STH_PUBLISH_DIR"];
  const key = path.join(data, "keys", "checkpoint-ed25519.pem");
  const consoleDb = path.join(data, "console.db");
  const logs = path.join(data, "demo", "is1");
  const KEY_TEXT = "-----BEGIN PRIVATE KEY-----\nnot a real key, but the console's own file\n-----END PRIVATE KEY-----\n";

  beforeAll(() => {
    for (const v of vars) saved[v] = process.env[v];
    for (const v of vars) delete process.env[v];
    process.env.CUSTODIAN_DATA_DIR = data;
    process.env.CONSOLE_DATABASE_URL = `file:${consoleDb}`;
    process.env.CUSTODIAN_STH_PUBLISH_DIR = path.join(dir, "published");
    resetEnvCache();
    for (const d of ["keys", "haproxy", "exports", "demo/is1"]) fs.mkdirSync(path.join(data, d), { recursive: true });
    fs.mkdirSync(path.join(dir, "published"));
    fs.writeFileSync(key, KEY_TEXT);
    for (const f of [consoleDb, `${consoleDb}-wal`]) fs.writeFileSync(f, "console database\n");
    fs.writeFileSync(path.join(data, "haproxy", "blocked-ips.lst"), "192.0.2.1\n");
    fs.writeFileSync(path.join(data, "exports", "abc.zip.enc"), "CUSTEXP1...");
    fs.writeFileSync(path.join(dir, "published", "sth-1.json"), "{}\n");
    fs.writeFileSync(path.join(logs, "sydent.log"), "a real log line\n");
  });
  afterAll(() => {
    for (const v of vars) (saved[v] === undefined ? delete process.env[v] : (process.env[v] = saved[v]));
    resetEnvCache();
  });

  const refusal = (p: string) => {
    const r = registerServerSchema.safeParse({ ...base, haproxyLogPaths: [p] });
    return r.success ? null : r.error.issues.map((i) => i.message).join("\n");
  };

  it("registration refuses each of them, as a path or a pattern, naming what it is", () => {
    expect(isInsideLogRoots(key)).toBe(true); // inside a root: only the new rule stops it
    const cases: [string, string][] = [
      [key, `${key} is inside the folder of the checkpoint signing key (${path.join(data, "keys")})`],
      [path.join(data, "keys", "*"), `${path.join(data, "keys", "*")} is inside the folder of the checkpoint signing key`],
      [consoleDb, `${consoleDb} is the console database (${consoleDb})`],
      [`${consoleDb}-wal`, `is the console database (${consoleDb}-wal)`],
      [`${consoleDb}-journal`, `is the console database (${consoleDb}-journal)`],
      [`${consoleDb}*`, `${consoleDb}* matches the console database (${consoleDb})`],
      [path.join(data, "*"), `${path.join(data, "*")} matches the console database`],
      [path.join(data, "*.db"), "matches the console database"],
      [path.join(data, "haproxy", "blocked-ips.lst"), `is inside the HAProxy block-list folder (${path.join(data, "haproxy")})`],
      [path.join(data, "exports", "*.enc"), "is inside the folder of access and portability packages"],
      [path.join(dir, "published", "sth-*.json"), "is inside the signed tree head publish folder"],
    ];
    for (const [p, message] of cases) {
      expect(refusal(p), p).toContain(message);
      expect(refusal(p), p).toContain("the console's own files are never log files.");
    }
    // A pattern beside them that cannot match one of them, and the demo's logs, are fine.
    expect(refusal(path.join(data, "sydent.log*"))).toBeNull();
    expect(refusal(path.join(logs, "sydent.log*"))).toBeNull();
  });

  it("a checkpoint key configured elsewhere (and its .pub) is refused too", () => {
    const elsewhere = path.join(dir, "signing", "checkpoint.pem");
    process.env.CUSTODIAN_CHECKPOINT_KEY_FILE = elsewhere;
    resetEnvCache();
    try {
      expect(refusal(elsewhere)).toContain(`${elsewhere} is the checkpoint signing key (${elsewhere})`);
      expect(refusal(path.join(dir, "signing", "*.pub"))).toContain(`matches the checkpoint public key (${path.join(dir, "signing", "checkpoint.pub")})`);
      expect(refusal(path.join(dir, "signing", "*.log"))).toBeNull();
    } finally {
      delete process.env.CUSTODIAN_CHECKPOINT_KEY_FILE;
      resetEnvCache();
    }
  });

  it("reading refuses them with the reason, and skips a symlink from a log folder to one of them", () => {
    expect(expandLogPattern(key)).toMatchObject({ paths: [], problem: { problem: "bad-pattern", detail: expect.stringContaining("is inside the folder of the checkpoint signing key") } });
    expect(expandLogPattern(`${consoleDb}*`)).toMatchObject({ paths: [], problem: { problem: "bad-pattern", detail: expect.stringContaining("matches the console database") } });
    fs.symlinkSync(key, path.join(logs, "sydent.log.1"));
    fs.symlinkSync(`${consoleDb}-wal`, path.join(logs, "sydent.log.2"));
    expect(expandLogPattern(path.join(logs, "sydent.log*")).paths).toEqual([path.join(logs, "sydent.log")]);
    expect(expandLogPattern(path.join(logs, "sydent.log.1"))).toMatchObject({ paths: [], problem: { problem: "bad-pattern", detail: expect.stringContaining("checkpoint signing key") } });
  });

  it("retention enforcement of a plan that names one of them (stored before this rule) leaves it alone", async () => {
    const item = { file: key, action: "delete" as const, linesRemoved: 3, linesKept: 0, sha256Before: (await sha256File(key))!, overdueDays: 1 };
    const results = await executePlan({ sourceKey: "sydent:is9", asOf: new Date().toISOString(), items: [item], skipped: [] }, "sydent", DEFAULT_RETENTION_POLICY);
    expect(results).toMatchObject([{ file: key, status: "skipped", problem: expect.stringContaining("the console's own files are never log files") }]);
    expect(fs.readFileSync(key, "utf8")).toBe(KEY_TEXT);
    expect(env().checkpointKeyFile).toBe(key);
  });
});
