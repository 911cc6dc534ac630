import path from "node:path";
import { describe, expect, it } from "vitest";
import { referenceNow } from "@/lib/logs/test-helpers";
import { FIXTURE_DIR } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { auditStores } from "@/lib/retention/stores";

// Sydent's tables with personal data and timestamps, and the console's stores: the oldest record
// against a policy; "no policy" is a finding, not hidden. Units per table (ms or seconds) matter.

useTestConsoleDb();
const servers = ["is1", "is2"].map((label) => ({ label, dbPath: path.join(FIXTURE_DIR, `${label}.db`) }));
const DAY = 86_400_000;

describe("retention of tables and stores", () => {
  it("without policies every non-empty store is a 'no policy' finding, dated from its own column", async () => {
    const r = await auditStores(servers, () => null, referenceNow);
    const sessions = r.find((s) => s.where === "is1" && s.store === "sydent.threepid_validation_sessions")!;
    expect(sessions.records).toBe(16);
    expect(sessions.finding).toBe("no-policy");
    // The fixture ran for a few minutes on the reference day: ms and seconds columns both land there.
    for (const s of r.filter((x) => x.where !== "console" && x.oldestAt)) expect(s.oldestAt!.slice(0, 10), s.store).toBe(referenceNow.toISOString().slice(0, 10));
    expect(r.find((s) => s.store === "sydent.invite_tokens" && s.where === "is1")!.records).toBeGreaterThan(0);
    expect(r.filter((s) => s.where === "console").map((s) => s.store).sort()).toEqual(["console.access_log_ip_ua", "console.bulk_inputs", "console.login_attempts", "console.packages"]);
  });

  it("with a policy: within, or overdue by whole days", async () => {
    const days = (store: string) => (store === "sydent.accounts" ? 0 : 30);
    const later = new Date(referenceNow.getTime() + 3 * DAY);
    const r = await auditStores(servers, days, later);
    const acc = r.find((s) => s.store === "sydent.accounts" && s.where === "is2")!;
    expect(acc).toMatchObject({ finding: "overdue", overdueDays: 3, policyDays: 0 });
    expect(r.find((s) => s.store === "sydent.threepid_validation_sessions" && s.where === "is2")!.finding).toBe("within");
  });

  it("an unreadable database is a finding, the rest is still audited", async () => {
    const r = await auditStores([{ label: "gone", dbPath: path.join(FIXTURE_DIR, "no-such.db") }, servers[0]], () => null, referenceNow);
    expect(r.filter((s) => s.where === "gone").every((s) => s.finding === "unreadable")).toBe(true);
    expect(r.some((s) => s.where === "is1" && s.finding === "no-policy")).toBe(true);
  });
});
