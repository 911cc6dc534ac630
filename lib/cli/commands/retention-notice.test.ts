import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { totpCode } from "@/lib/auth/totp";
import { seedEnrolledStaff } from "@/lib/auth/testing";
import { runCli } from "@/lib/cli/testing";
import { tempDir } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";
import noticeApprove from "@/lib/cli/commands/retention-notice-approve";
import noticeList from "@/lib/cli/commands/retention-notice-list";
import noticePropose from "@/lib/cli/commands/retention-notice-propose";
import retentionPolicy from "@/lib/cli/commands/retention-policy";

// retention:notice-list, retention:notice-propose and retention:notice-approve through the
// command runner: field errors (exit 2) change nothing, the proposer cannot approve, approval needs
// the approver's authenticator code, and an approved newer notice permits a longer policy.

useTestConsoleDb();
const dir = tempDir();
let a1: Awaited<ReturnType<typeof seedEnrolledStaff>>;
let a2: Awaited<ReturnType<typeof seedEnrolledStaff>>;
let dpo: Awaited<ReturnType<typeof seedEnrolledStaff>>;

beforeAll(async () => {
  a1 = await seedEnrolledStaff({ role: "admin" });
  a2 = await seedEnrolledStaff({ role: "admin" });
  dpo = await seedEnrolledStaff({ role: "dpo" });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const limits = (haproxy = "90") => ["--limit", "lookup=7", "--limit", `haproxy=${haproxy}`, "--limit", "application=60", "--limit", "connection=180"];
const count = () => db().privacyNoticeVersion.count();

describe("retention:notice-* commands", () => {
  it("retention:notice-list: the built-in version, in force", async () => {
    const r = await runCli(noticeList, "--operator", dpo.email);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.inForce).toBe("1.1.0");
    expect(r.json.notices).toEqual([expect.objectContaining({ version: "1.1.0", state: "approved", effectiveFrom: "2019-07-23", limits: { lookup: 7, haproxy: 60, application: 60, connection: 180 } })]);
  });

  it("retention:notice-propose: only an admin; bad input exits 2 with the field named and changes nothing", async () => {
    expect((await runCli(noticePropose, "--operator", dpo.email, "--version", "1.2.0", "--effective", yesterday, ...limits(), "--reason", "longer HAProxy logs")).code).toBe(2);
    const unknown = await runCli(noticePropose, "--operator", a1.email, "--version", "1.2.0", "--effective", yesterday, ...limits(), "--limit", "debug=3", "--reason", "longer HAProxy logs");
    expect(unknown.code).toBe(2);
    expect(unknown.json).toMatchObject({ ok: false, code: "invalid", errors: { limits: [expect.stringMatching(/Unknown retention class "debug"/)] } });
    const zero = await runCli(noticePropose, "--operator", a1.email, "--version", "1.2.0", "--effective", yesterday, ...limits("0"), "--reason", "longer HAProxy logs");
    expect(zero.code).toBe(2);
    expect(zero.json.errors).toMatchObject({ "limit.haproxy": [expect.stringMatching(/from 1 to 3650/)] });
    expect((await runCli(noticePropose, "--operator", a1.email, "--version", "1.1.0", "--effective", yesterday, ...limits(), "--reason", "longer HAProxy logs")).json.errors).toMatchObject({ version: [expect.stringMatching(/already recorded/)] });
    expect((await runCli(noticePropose, "--operator", a1.email, "--version", "1.2.0", "--limit", "haproxy")).code).toBe(2);
    expect(await count()).toBe(1);
    expect(await db().accessLogEntry.count({ where: { action: { startsWith: "retention.notice" } } })).toBe(0);
  });

  it("propose with the notice's text; the proposer cannot approve; the second admin needs a code; then the longer policy is permitted", async () => {
    const text = path.join(dir, "notice-1.2.0.md");
    fs.writeFileSync(text, "---\nversion: 1.2.0\n---\nHaproxy logs may be kept up to 90 days.\n");
    const p = await runCli(noticePropose, "--operator", a1.email, "--version", "1.2.0", "--effective", yesterday, ...limits(), "--section", "haproxy=3.2.2", "--text-file", text, "--reason", "HAProxy logs kept 90 days for abuse work");
    expect(p.code, JSON.stringify(p.json) + p.stderr).toBe(0);
    const row = await db().privacyNoticeVersion.findUniqueOrThrow({ where: { version: "1.2.0" } });
    expect(row.textSha256).toBe(crypto.createHash("sha256").update(fs.readFileSync(text)).digest("hex"));
    expect(row.state).toBe("proposed");

    const self = await runCli(noticeApprove, "--operator", a1.email, "--notice", "1.2.0", "--code", totpCode(a1.totpSecret));
    expect(self.code).toBe(1);
    expect(self.json.message).toMatch(/second administrator: you proposed 1\.2\.0/);
    const noCode = await runCli(noticeApprove, "--operator", a2.email, "--notice", "1.2.0");
    expect(noCode.code).toBe(1);
    expect(await db().accessLogEntry.count({ where: { action: "cli.operator.verify", outcome: "denied", actorId: a2.staff.id } })).toBe(1);
    expect((await db().privacyNoticeVersion.findUniqueOrThrow({ where: { version: "1.2.0" } })).state).toBe("proposed");

    const before = await runCli(retentionPolicy, "--operator", a1.email, "--propose", "--scope", "haproxy:haproxy", "--class", "haproxy", "--days", "90", "--reason", "longer");
    expect(before.code).toBe(1);
    expect(before.json.message).toMatch(/Privacy notice 1\.1\.0 \(3\.2\.2\), in force, promises at most 60 days for haproxy/);

    const ok = await runCli(noticeApprove, "--operator", a2.email, "--notice", "1.2.0", "--code", totpCode(a2.totpSecret));
    expect(ok.code, JSON.stringify(ok.json) + ok.stderr).toBe(0);
    expect(ok.json).toMatchObject({ ok: true, version: "1.2.0" });
    expect((await runCli(noticeList, "--operator", a1.email)).json.inForce).toBe("1.2.0");
    const actions = (await db().accessLogEntry.findMany({ where: { action: { startsWith: "retention.notice" } }, orderBy: { seq: "asc" } })).map((e) => [e.action, e.outcome, e.actorId]);
    expect(actions).toEqual([["retention.notice.propose", "ok", a1.staff.id], ["retention.notice.approve", "denied", a1.staff.id], ["retention.notice.approve", "ok", a2.staff.id]]);

    const longer = await runCli(retentionPolicy, "--operator", a1.email, "--propose", "--scope", "haproxy:haproxy", "--class", "haproxy", "--days", "90", "--reason", "longer");
    expect(longer.code, JSON.stringify(longer.json)).toBe(0);
    expect((await db().retentionPolicy.findUniqueOrThrow({ where: { id: String(longer.json.id) } })).noticeVersion).toBe("1.2.0");
    const tooLong = await runCli(retentionPolicy, "--operator", a1.email, "--propose", "--scope", "haproxy:haproxy", "--class", "haproxy", "--days", "91", "--reason", "longer");
    expect(tooLong.code).toBe(1);
    expect(tooLong.json.message).toMatch(/1\.2\.0 \(3\.2\.2\), in force, promises at most 90 days/);
  });

  it("retention:notice-approve --reject: the proposer withdraws a version (no code needed; a reason is)", async () => {
    const p = await runCli(noticePropose, "--operator", a1.email, "--version", "1.3.0", "--effective", "2099-01-01", ...limits(), "--reason", "a draft for next year");
    expect(p.code, JSON.stringify(p.json)).toBe(0);
    expect((await runCli(noticeApprove, "--operator", a1.email, "--notice", "1.3.0", "--reject", "--reason", "no")).code).toBe(2);
    const r = await runCli(noticeApprove, "--operator", a1.email, "--notice", "1.3.0", "--reject", "--reason", "withdrawn: drafted too early");
    expect(r.code, JSON.stringify(r.json)).toBe(0);
    expect(await db().privacyNoticeVersion.findUniqueOrThrow({ where: { version: "1.3.0" } })).toMatchObject({ state: "rejected", rejectedById: a1.staff.id, rejectReason: "withdrawn: drafted too early" });
  });
});
