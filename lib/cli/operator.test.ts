import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { OperatorRefused, resolveVerifiedOperator } from "@/lib/cli/operator";
import { totpCode } from "@/lib/auth/totp";
import { seedEnrolledStaff } from "@/lib/auth/testing";

// Approve/execute/reveal commands need the named operator's current authenticator code: naming
// someone is not enough. Refusals exit 1 and leave a denied access-log entry.

const ctx = useTestConsoleDb();
const t0 = new Date("2026-03-06T10:00:00Z");
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const denials = (staffId: string) =>
  db().accessLogEntry.findMany({ where: { action: "cli.operator.verify", targetRef: staffId }, orderBy: { seq: "asc" } });

describe("resolveVerifiedOperator", () => {
  it("accepts the operator's current code once; refuses missing, wrong and reused codes with a denied entry", async () => {
    const dpo = await seedEnrolledStaff({ role: "dpo" });
    const verify = (code: unknown, now: Date) => resolveVerifiedOperator(dpo.email, code, "exports.approve", "package:approve", now);
    await expect(verify(undefined, at(0))).rejects.toThrow(OperatorRefused);
    await expect(verify("000000", at(0))).rejects.toThrow(/does not match/);
    const actor = await verify(totpCode(dpo.totpSecret, at(0)), at(0));
    expect(actor).toMatchObject({ id: dpo.staff.id, label: `cli:${dpo.email}` });
    await expect(verify(totpCode(dpo.totpSecret, at(0)), at(1))).rejects.toThrow(/already used/);
    expect(await verify(totpCode(dpo.totpSecret, at(30)), at(30))).toMatchObject({ id: dpo.staff.id });
    const log = await denials(dpo.staff.id);
    expect(log.map((e) => [e.outcome, JSON.parse(e.details!).reason])).toEqual([
      ["denied", "code-missing"],
      ["denied", "bad-code"],
      ["denied", "code-reused"],
    ]);
    expect(JSON.parse(log[0].details!)).toMatchObject({ command: "package:approve", permission: "exports.approve" });
  });

  it("the commands refuse without --code (exit 1) before doing anything, and log the refusal", async () => {
    const dpo = await seedEnrolledStaff({ role: "dpo" });
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "lib/cli/index.ts", ...args], {
        encoding: "utf8",
        env: { ...process.env, CONSOLE_DATABASE_URL: ctx.current.url, CUSTODIAN_DATA_DIR: ctx.current.dataDir },
      });
    for (const args of [
      ["package:approve", "--package", "no-such-package"],
      ["erasure:bulk-approve", "--batch", "no-such-batch"],
      ["erasure:execute", "--job", "no-such-job"],
      ["erasure:bulk-execute", "--batch", "no-such-batch"],
      ["subject:search", "--email", "someone@example.org", "--reveal", "--purpose", "other", "--note", "checking"],
    ]) {
      const r = run(...args, "--operator", dpo.email);
      expect(r.status, `${args[0]}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toContain("--code");
    }
    const wrong = run("erasure:execute", "--job", "no-such-job", "--operator", dpo.email, "--code", "123456");
    expect(wrong.status).toBe(1);
    const log = await denials(dpo.staff.id);
    expect(log.map((e) => JSON.parse(e.details!).command)).toEqual([
      "package:approve",
      "erasure:bulk-approve",
      "erasure:execute",
      "erasure:bulk-execute",
      "subject:search --reveal",
      "erasure:execute",
    ]);
    expect(await db().accessLogEntry.count({ where: { actorId: dpo.staff.id, action: { not: "cli.operator.verify" } } })).toBe(0);
  });
});
