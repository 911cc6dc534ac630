import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The entry point itself (lib/cli/index.ts), as an operator meets it on a machine not yet
// configured: help and a command's --help need no secrets, every command is listed, an unknown
// name is refused with exit 2.

function cli(...args: string[]) {
  const env = { ...process.env };
  for (const k of ["NEXTAUTH_SECRET", "CUSTODIAN_MASTER_KEY", "CONSOLE_DATABASE_URL"]) delete env[k];
  const r = spawnSync(process.execPath, ["--import", "tsx", "lib/cli/index.ts", ...args], { encoding: "utf8", env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const commandFiles = fs.readdirSync(path.resolve("lib/cli/commands")).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));

describe("npm run cli", () => {
  it("help lists every command without any configuration", () => {
    const r = cli("help");
    expect(r.code, r.err).toBe(0);
    const listed = r.out.split("\n").filter((l) => /^ {2}[a-z]+:[a-z0-9:-]+ /.test(l));
    expect(listed.length).toBe(commandFiles.length);
    expect(r.out).toContain("db:migrate");
    expect(r.out).toContain("retention:audit");
  });

  it("a command's --help needs no configuration, also for a command whose file is named otherwise", () => {
    for (const name of ["retention:audit", "db:migrate"]) {
      const r = cli(name, "--help");
      expect(r.code, `${name}: ${r.err}`).toBe(0);
      expect(r.out).toContain(`npm run cli -- ${name} [options]`);
    }
  });

  it("an unknown command is refused with exit 2 and a pointer to the list", () => {
    const r = cli("retention:nothing");
    expect(r.code).toBe(2);
    expect(r.err).toContain('Unknown command "retention:nothing"');
  });
});
