import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedEnrolledStaff } from "@/lib/auth/testing";
import { requireFreshCode } from "@/lib/auth/step-up";
import { totpCode } from "@/lib/auth/totp";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { dateLogCopies, referenceNow } from "@/lib/logs/test-helpers";
import { FIXTURE_DIR, tempDir } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { approvePolicy, proposePolicy } from "@/lib/retention/policies";
import { approveEnforcement, requestEnforcement } from "@/lib/retention/run";

// The console's approvals of a first enforcement and of a policy change ask for a fresh
// authenticator code, as the command line does (--code) and as the other second-person approvals
// in the console do: the same step-up the server actions pass (lib/retention/actions.ts). A
// missing or wrong code refuses, is access-logged and changes nothing; a fresh code works once.

useTestConsoleDb();
const dir = tempDir();
const expired = () => path.join(dir, "is1", "sydent.log.2026-05-26.synthetic-aged.gz");
type Enrolled = Awaited<ReturnType<typeof seedEnrolledStaff>>;
const actorOf = (s: Enrolled, role: string): Actor => ({ id: s.staff.id, label: s.email, role: role as Actor["role"] });
/** What the server action passes: the form's code checked for this purpose. */
const stepUp = (actor: Actor, code: unknown, purpose: string) => () => requireFreshCode(actor, code, purpose);
let asker: Enrolled;
let approver: Enrolled;

beforeAll(async () => {
  fs.cpSync(path.join(FIXTURE_DIR, "is1"), path.join(dir, "is1"), { recursive: true });
  dateLogCopies(dir);
  await db().identityServer.create({
    data: { label: "is1", serverName: "is1.test", dbPath: path.join(FIXTURE_DIR, "is1.db"), sydentLogPaths: JSON.stringify([path.join(dir, "is1", "sydent.log*")]), haproxyLogPaths: JSON.stringify([]) },
  });
  asker = await seedEnrolledStaff({ role: "dpo" });
  approver = await seedEnrolledStaff({ role: "dpo" });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("web approvals need a fresh authenticator code", () => {
  it("first enforcement: no code or a wrong code refuses and changes nothing; a fresh code approves it, once", async () => {
    const ask = await requestEnforcement(actorOf(asker, "dpo"), "sydent:is1", referenceNow);
    expect(ask.status).toBe("awaiting_approval");
    if (ask.status !== "awaiting_approval") return;
    const b = actorOf(approver, "dpo");
    for (const code of [null, "", "000000"]) {
      const r = await approveEnforcement(b, ask.enforcementId, referenceNow, { stepUp: stepUp(b, code, "retention.enforce.approve") });
      expect(r.status).toBe("refused");
      if (r.status === "refused") expect(r.message).toMatch(code === "000000" ? /does not match\. Nothing was changed/ : /fresh code/);
      expect((await db().retentionEnforcement.findUniqueOrThrow({ where: { id: ask.enforcementId } })).state).toBe("awaiting_approval");
      expect(fs.existsSync(expired())).toBe(true);
    }
    const denied = await db().accessLogEntry.findMany({ where: { action: "auth.code.verify", outcome: "denied", actorId: approver.staff.id } });
    expect(denied.map((d) => JSON.parse(d.details!).for)).toEqual(["retention.enforce.approve", "retention.enforce.approve", "retention.enforce.approve"]);
    const code = totpCode(approver.totpSecret);
    const ok = await approveEnforcement(b, ask.enforcementId, referenceNow, { stepUp: stepUp(b, code, "retention.enforce.approve") });
    expect(ok.status).toBe("done");
    expect(fs.existsSync(expired())).toBe(false);
  });

  it("policy change: a different admin approves only with a fresh code; the same code does not work twice", async () => {
    const admin1 = await seedEnrolledStaff({ role: "admin" });
    const admin2 = await seedEnrolledStaff({ role: "admin" });
    const a2 = actorOf(admin2, "admin");
    const p1 = await proposePolicy(actorOf(admin1, "admin"), { scope: "haproxy:haproxy", retentionClass: "haproxy", periodDays: 30, reason: "shorter" });
    expect(p1.ok).toBe(true);
    if (!p1.ok) return;
    const wrong = await approvePolicy(a2, p1.id, new Date(), { stepUp: stepUp(a2, "000000", "retention.policy.approve") });
    expect(wrong).toMatchObject({ ok: false, message: expect.stringMatching(/does not match/) });
    expect((await db().retentionPolicy.findUniqueOrThrow({ where: { id: p1.id } })).state).toBe("proposed");
    const code = totpCode(admin2.totpSecret);
    expect(await approvePolicy(a2, p1.id, new Date(), { stepUp: stepUp(a2, code, "retention.policy.approve") })).toMatchObject({ ok: true });
    expect((await db().retentionPolicy.findUniqueOrThrow({ where: { id: p1.id } })).state).toBe("active");
    const p2 = await proposePolicy(actorOf(admin1, "admin"), { scope: "haproxy:haproxy", retentionClass: "haproxy", periodDays: 20, reason: "shorter still" });
    if (!p2.ok) throw new Error(p2.message);
    const reused = await approvePolicy(a2, p2.id, new Date(), { stepUp: stepUp(a2, code, "retention.policy.approve") });
    expect(reused).toMatchObject({ ok: false, message: expect.stringMatching(/already used/) });
    expect((await db().retentionPolicy.findUniqueOrThrow({ where: { id: p2.id } })).state).toBe("proposed");
  });
});
