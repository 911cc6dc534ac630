import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { requireFreshCode } from "@/lib/auth/step-up";
import { totpCode } from "@/lib/auth/totp";
import { seedEnrolledStaff } from "@/lib/auth/testing";

// Approvals in the console ask for a fresh authenticator code, verified and claimed like a
// sign-in code: a wrong, missing or reused code is refused with a clear message and a denied
// auth.code.verify entry naming what it was for; a code used once (anywhere) never works again.

const ctx = useTestConsoleDb();
const t0 = new Date("2026-05-04T09:00:00Z");
const at = (s: number) => new Date(t0.getTime() + s * 1000);

describe("requireFreshCode", () => {
  it("accepts the current code once and refuses missing, wrong and reused codes, each logged as denied", async () => {
    expect(ctx.current.dataDir).toContain("/");
    const dpo = await seedEnrolledStaff({ role: "dpo" });
    const actor = { id: dpo.staff.id, label: dpo.email, role: "dpo" };
    const check = (code: unknown, now: Date) => requireFreshCode(actor, code, "exports.approve", { packageId: "p1" }, now);

    expect(await check("", at(0))).toMatchObject({ ok: false, reason: "code-missing", message: expect.stringMatching(/fresh code/) });
    const wrong = totpCode(dpo.totpSecret, at(0)) === "000000" ? "111111" : "000000";
    expect(await check(wrong, at(0))).toMatchObject({ ok: false, reason: "bad-code", message: expect.stringMatching(/does not match\. Nothing was changed/) });
    expect(await check(totpCode(dpo.totpSecret, at(0)), at(0))).toEqual({ ok: true });
    expect(await check(totpCode(dpo.totpSecret, at(0)), at(5))).toMatchObject({ ok: false, reason: "code-reused" });
    expect(await check(totpCode(dpo.totpSecret, at(30)), at(30))).toEqual({ ok: true });

    const log = await db().accessLogEntry.findMany({ where: { action: "auth.code.verify" }, orderBy: { seq: "asc" } });
    expect(log.map((e) => [e.outcome, e.targetRef, JSON.parse(e.details!)])).toEqual([
      ["denied", dpo.staff.id, { for: "exports.approve", reason: "code-missing", packageId: "p1" }],
      ["denied", dpo.staff.id, { for: "exports.approve", reason: "bad-code", packageId: "p1" }],
      ["denied", dpo.staff.id, { for: "exports.approve", reason: "code-reused", packageId: "p1" }],
    ]);
  });

  it("a code already claimed by a sign-in (Staff.totpLastStep) is refused for an approval", async () => {
    const dpo = await seedEnrolledStaff({ role: "dpo" });
    const step = Math.floor(at(60).getTime() / 30_000);
    await db().staff.update({ where: { id: dpo.staff.id }, data: { totpLastStep: step } });
    const r = await requireFreshCode({ id: dpo.staff.id, label: dpo.email, role: "dpo" }, totpCode(dpo.totpSecret, at(60)), "erasure.approve", {}, at(60));
    expect(r).toMatchObject({ ok: false, reason: "code-reused" });
  });
});
