import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { plainLines, referenceNow } from "@/lib/logs/test-helpers";
import { seedStaff } from "@/lib/requests/testing";
import { FIXTURE_DIR, tempDir } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { latestRetentionView, RETENTION_AUDIT_STALE_HOURS, retentionAlarm } from "@/lib/retention/queries";
import { approvePolicy, proposePolicy } from "@/lib/retention/policies";
import { auditAndAttest } from "@/lib/retention/run";

// What the retention page and the dashboard alarm read from the signed attestations, on real
// audits of real files and the fixture's Sydent databases:
// - an audit of one server (--server) never hides another server's tables or sources;
// - a backdated audit (--now in the past) cannot silence the alarm: whatever it judged, a file
//   whose due date is before the present is overdue, and the alarm says it fell due since;
// - the alarm also raises when there is no audit, or the newest is older than the stated hours.

useTestConsoleDb();
const dir = tempDir();
const DAY = 86_400_000;
const HOUR = 3_600_000;
const real = plainLines(path.join(FIXTURE_DIR, "is1", "sydent.log"));
/** The real Sydent lines, every record re-stamped at `at`. */
function stampedAt(at: Date) {
  const t = at.toISOString();
  return real.map((l) => l.replace(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}/, `${t.slice(0, 10)} ${t.slice(11, 19)},${t.slice(20, 23)}`)).join("\n") + "\n";
}
// Every line of both servers' rotated files was written at L: lookups fall due at L + 7 days.
const L = new Date(referenceNow.getTime() - 20 * DAY);
const T0 = new Date(L.getTime() + HOUR); // the backdated audit: within then
let dpo: Awaited<ReturnType<typeof seedStaff>>;

beforeAll(async () => {
  for (const label of ["is1", "is2"]) {
    fs.mkdirSync(path.join(dir, label), { recursive: true });
    fs.writeFileSync(path.join(dir, label, "sydent.log.1"), stampedAt(L));
    fs.writeFileSync(path.join(dir, label, "sydent.log"), stampedAt(T0));
    await db().identityServer.create({
      data: { label, serverName: `${label}.test`, dbPath: path.join(FIXTURE_DIR, `${label}.db`), sydentLogPaths: JSON.stringify([path.join(dir, label, "sydent.log*")]), haproxyLogPaths: JSON.stringify([]) },
    });
  }
  dpo = await seedStaff("dpo");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("retention view and dashboard alarm", () => {
  it("no audit yet: the alarm says so (stale), nothing else to show", async () => {
    const a = await retentionAlarm();
    expect(a).toMatchObject({ audited: false, stale: true, overdueSources: [], storesOverdue: 0 });
    expect(a.staleServers.map((x) => x.server)).toEqual(["is1", "is2"]);
  });

  it("an audit of one server keeps the other server's tables and sources from the audit before", async () => {
    const all = await auditAndAttest(dpo.actor, { now: T0 });
    const one = await auditAndAttest(dpo.actor, { now: T0, server: "is1" });
    const v = await latestRetentionView(T0);
    const places = [...new Set(v.stores.map((s) => s.where))];
    expect(places).toEqual(["is1", "is2", "console"]);
    // Each place comes from the newest audit that looked at it.
    expect(new Set(v.stores.filter((s) => s.where === "is2").map((s) => s.attestationId))).toEqual(new Set([all.attestationId]));
    expect(new Set(v.stores.filter((s) => s.where !== "is2").map((s) => s.attestationId))).toEqual(new Set([one.attestationId]));
    // is2's tables are listed as the full audit found them (the fixture has validation sessions: no policy).
    const is2Sessions = v.stores.find((s) => s.where === "is2" && s.store === "sydent.threepid_validation_sessions")!;
    expect(is2Sessions).toMatchObject({ finding: all.report.stores.find((s) => s.where === "is2" && s.store === "sydent.threepid_validation_sessions")!.finding });
    expect(is2Sessions.records).toBeGreaterThan(0);
    expect(v.sources.map((s) => `${s.source} ${s.attestationId === one.attestationId ? "newest" : "full"}`)).toEqual(["sydent:is1 newest", "sydent:is2 full"]);
  });

  it("as of the audit's own time nothing is overdue and the audit is fresh", async () => {
    const last = (await latestRetentionView(T0)).lastAuditAt!;
    const a = await retentionAlarm({ asOf: T0, clock: new Date(Date.parse(last) + HOUR) });
    expect(a).toMatchObject({ audited: true, stale: false, overdueSources: [], dueSinceAudit: 0 });
  });

  it("a backdated audit does not silence the alarm: files that fell due since are overdue as of the present", async () => {
    const v = await latestRetentionView();
    const is1 = v.sources.find((s) => s.source === "sydent:is1")!;
    expect(Date.parse(is1.judgedAsOf)).toBe(T0.getTime());
    // The attestation itself judged the rotated file within (as of T0) ...
    const rotated = is1.files.find((f) => path.basename(f.file) === "sydent.log.1")!;
    expect(rotated).toMatchObject({ verdict: "within", overdueLines: 0 });
    // ... but its first lines were due at L + 7 days, long before the present.
    expect(is1.overdueNow).toBe(true);
    expect(is1.dueSinceAudit.map((d) => path.basename(d.file))).toContain("sydent.log.1");
    const a = await retentionAlarm();
    expect(a.overdueSources.map((s) => s.source)).toEqual(["sydent:is1", "sydent:is2"]);
    expect(a.overdueSources.every((s) => s.dueSinceAudit > 0 && s.maxOverdueDays > 0)).toBe(true);
  });

  it("something the last audit recorded falls due after it: the alarm says by how many days", async () => {
    const asOf = new Date(L.getTime() + 9 * DAY);
    const last = (await latestRetentionView(asOf)).lastAuditAt!;
    const a = await retentionAlarm({ asOf, clock: new Date(Date.parse(last) + HOUR) });
    // The lookup lines of sydent.log.1 were due at L + 7 days (2 whole days before asOf), those of
    // the current file an hour later: both files of each server fell due after the audit.
    expect(a.overdueSources).toEqual([
      { source: "sydent:is1", maxOverdueDays: 2, dueSinceAudit: 2 },
      { source: "sydent:is2", maxOverdueDays: 2, dueSinceAudit: 2 },
    ]);
    expect(a.stale).toBe(false);
  });

  it("a server registered after the last audits has no evidence: the alarm is stale and names it", async () => {
    const last = Date.parse((await latestRetentionView(T0)).lastAuditAt!);
    const fresh = { asOf: T0, clock: new Date(last + HOUR) };
    expect((await retentionAlarm(fresh)).staleServers).toEqual([]);
    const srv = await db().identityServer.create({
      data: { label: "is3", serverName: "is3.test", dbPath: path.join(FIXTURE_DIR, "is1.db"), sydentLogPaths: JSON.stringify([path.join(dir, "is3", "sydent.log*")]), haproxyLogPaths: JSON.stringify([]) },
    });
    const a = await retentionAlarm(fresh);
    expect(a).toMatchObject({ stale: true, staleServers: [{ server: "is3", lastAuditAt: null }] });
    await db().identityServer.delete({ where: { id: srv.id } });
  });

  it(`the newest audit older than ${RETENTION_AUDIT_STALE_HOURS} hours is stale`, async () => {
    const last = Date.parse((await latestRetentionView(T0)).lastAuditAt!);
    expect((await retentionAlarm({ asOf: T0, clock: new Date(last + (RETENTION_AUDIT_STALE_HOURS - 1) * HOUR) })).stale).toBe(false);
    expect((await retentionAlarm({ asOf: T0, clock: new Date(last + (RETENTION_AUDIT_STALE_HOURS + 1) * HOUR) })).stale).toBe(true);
  });

  it("a table within its policy when a backdated audit judged it, past it now: overdue in the view and the alarm", async () => {
    // The fixture's sessions were made minutes before its reference time: a 1-day policy is kept
    // as of that time, and past since the day after (the present is later).
    const admin1 = await seedStaff("admin");
    const admin2 = await seedStaff("admin");
    const p = await proposePolicy(admin1.actor, { scope: "store:sydent.threepid_validation_sessions", retentionClass: "records", periodDays: 1, reason: "sessions are short-lived" });
    if (!p.ok) throw new Error(p.message);
    expect(await approvePolicy(admin2.actor, p.id)).toMatchObject({ ok: true });
    const { report } = await auditAndAttest(dpo.actor, { now: referenceNow, server: "is1" });
    const judged = report.stores.find((s) => s.where === "is1" && s.store === "sydent.threepid_validation_sessions")!;
    expect(judged).toMatchObject({ finding: "within", policyDays: 1 });
    expect(Date.parse(judged.oldestAt!) + DAY).toBeLessThan(Date.now());
    const now = (await latestRetentionView()).stores.find((s) => s.where === "is1" && s.store === "sydent.threepid_validation_sessions")!;
    expect(now).toMatchObject({ finding: "within", overdueNow: true });
    expect(now.overdueDaysNow).toBeGreaterThan(0);
    expect((await retentionAlarm()).storesOverdue).toBeGreaterThanOrEqual(1);
  });
});
