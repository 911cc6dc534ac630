import { describe, expect, it } from "vitest";
import { signInWithCredentials } from "@/lib/auth/sign-in";
import { openTotpSecret, totpCode } from "@/lib/auth/totp";
import { ROLES } from "@/lib/authz";
import { db } from "@/lib/db";
import { base32, DEMO_STAFF, registerDemoServers, seedDemoStaff } from "@/lib/demo/generate-staff";
import { useTestConsoleDb } from "@/lib/test/console-db";

useTestConsoleDb();

describe("demo staff and servers", () => {
  it("base32-encodes like RFC 4648", () => {
    expect(base32(Buffer.from("foobar"))).toBe("MZXW6YTBOI");
    expect(base32(Buffer.alloc(20))).toHaveLength(32);
  });

  it("creates one enrolled account per role plus a second DPO, whose printed credentials sign in", async () => {
    const signIns = await seedDemoStaff("staff-test");
    expect(new Set(signIns.map((s) => s.role))).toEqual(new Set(ROLES));
    expect(signIns.filter((s) => s.role === "dpo")).toHaveLength(2);
    for (const s of signIns) {
      const row = await db().staff.findUniqueOrThrow({ where: { email: s.email } });
      expect(row.role).toBe(s.role);
      expect(row.totpEnrolledAt).not.toBeNull();
      expect(openTotpSecret(row.totpSecretEnc!)).toBe(s.totpSecret);
      expect(s.totpSecret).toMatch(/^[A-Z2-7]{32}$/);
      expect(s.otpauthUri).toMatch(/^otpauth:\/\/totp\/.*secret=[A-Z2-7]{32}/);
      const now = new Date();
      const r = await signInWithCredentials({ email: s.email, password: s.password, code: totpCode(s.totpSecret, now) }, { ip: "192.0.2.10", userAgent: null, now });
      expect(r.ok, s.email).toBe(true);
    }
  });

  it("replaces rather than duplicates on a re-run, with the same seeded credentials", async () => {
    const first = await db().staff.findMany({ where: { email: { in: DEMO_STAFF.map((s) => s.email) } }, orderBy: { email: "asc" } });
    const again = await seedDemoStaff("staff-test");
    const second = await db().staff.findMany({ where: { email: { in: DEMO_STAFF.map((s) => s.email) } }, orderBy: { email: "asc" } });
    expect(second.map((s) => s.id)).toEqual(first.map((s) => s.id));
    expect(await db().staff.count()).toBe(DEMO_STAFF.length);
    const rerun = await seedDemoStaff("staff-test");
    expect(rerun.map((s) => s.password)).toEqual(again.map((s) => s.password));
  });

  it("registers both demo servers idempotently", async () => {
    const input = ["is1", "is2"].map((label) => ({
      label, serverName: `${label}.demo.custodian.test`, dbPath: `/tmp/demo/${label}.db`,
      sydentLogPaths: [`/tmp/demo/logs/${label}/sydent.log*`], haproxyLogPaths: ["/tmp/demo/logs/haproxy/haproxy.log*"],
    }));
    await registerDemoServers(input);
    await registerDemoServers(input.map((s) => ({ ...s, dbPath: s.dbPath.replace("/tmp/demo", "/srv/demo") })));
    const rows = await db().identityServer.findMany({ orderBy: { label: "asc" } });
    expect(rows.map((r) => [r.label, r.serverName, r.dbPath])).toEqual([
      ["is1", "is1.demo.custodian.test", "/srv/demo/is1.db"],
      ["is2", "is2.demo.custodian.test", "/srv/demo/is2.db"],
    ]);
    expect(JSON.parse(rows[0].sydentLogPaths)).toEqual(["/tmp/demo/logs/is1/sydent.log*"]);
  });
});
