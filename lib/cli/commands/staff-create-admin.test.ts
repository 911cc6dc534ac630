import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { totpCode } from "@/lib/auth/totp";
import { seedEnrolledStaff } from "@/lib/auth/testing";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Adding a second admin on behalf of an existing one is a privileged act: it needs that admin's
// current authenticator code (--code), like approvals; naming the admin is not enough.

const ctx = useTestConsoleDb();

function run(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "lib/cli/index.ts", "staff:create-admin", ...args], {
    encoding: "utf8",
    env: { ...process.env, CONSOLE_DATABASE_URL: ctx.current.url, CUSTODIAN_DATA_DIR: ctx.current.dataDir },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("staff:create-admin --operator", () => {
  it("refuses without the operator's code or with a wrong one, creating nothing; accepts the current code", async () => {
    const admin = await seedEnrolledStaff({ role: "admin" });
    const missing = run("--email", "second@custodian.test", "--name", "Second", "--operator", admin.email);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("--code");
    const wrong = run("--email", "second@custodian.test", "--name", "Second", "--operator", admin.email, "--code", "000000");
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("does not match");
    expect(await db().staff.findUnique({ where: { email: "second@custodian.test" } })).toBeNull();
    const denied = await db().accessLogEntry.findMany({ where: { action: "cli.operator.verify", targetRef: admin.staff.id } });
    expect(denied.map((e) => JSON.parse(e.details!).command)).toEqual(["staff:create-admin", "staff:create-admin"]);

    const ok = run("--email", "second@custodian.test", "--name", "Second", "--operator", admin.email, "--code", totpCode(admin.totpSecret, new Date()));
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ email: "second@custodian.test" });
    const created = await db().staff.findUniqueOrThrow({ where: { email: "second@custodian.test" } });
    expect(created.role).toBe("admin");
    const entry = await db().accessLogEntry.findFirstOrThrow({ where: { action: "staff.create", targetRef: created.id } });
    expect(entry.actorId).toBe(admin.staff.id);
  });
});
