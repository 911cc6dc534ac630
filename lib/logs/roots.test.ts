import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { registerServerSchema } from "@/lib/servers/schemas";
import { expandLogPattern } from "@/lib/logs/files";
import { isInsideLogRoots } from "@/lib/logs/roots";

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
});
