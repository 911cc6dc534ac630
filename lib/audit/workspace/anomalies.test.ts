import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { recordAccess } from "@/lib/audit/log";
import { sealCheckpoint } from "@/lib/audit/checkpoint";
import type { Actor, Target } from "@/lib/audit/types";
import { anomalyFlags, type Flag } from "@/lib/audit/workspace/anomalies";
import { parseWorkingTime } from "@/lib/audit/workspace/working-time";
import { signInWithCredentials } from "@/lib/auth/sign-in";
import { seedEnrolledStaff } from "@/lib/auth/testing";
import witnessCommand from "@/lib/cli/commands/audit-witness";
import { appendForPersons, entriesForPersons } from "@/lib/subjects/person-log";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Each anomaly flag on data the flags used to miscount: a reveal writes one entry per identifier,
// one account acts through the console and the command line, failed sign-ins are logged as
// "anonymous", working hours are local. Each case has a day of its own (the window), so cases do
// not see each other's reveals.

const testDb = useTestConsoleDb();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "custodian-anomalies-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const UTC_DEFAULT = parseWorkingTime({});
const web = (id: string, email: string): Actor => ({ id, label: email, role: "dpo", ip: "192.0.2.10", userAgent: "vitest" });
const cli = (id: string, email: string): Actor => ({ id, label: `cli:${email}`, role: "dpo", ip: null, userAgent: "custodian-cli" });
const day = (d: string) => ({ since: new Date(`${d}T00:00:00Z`), now: new Date(new Date(`${d}T00:00:00Z`).getTime() + 86_400_000) });
const of = (flags: Flag[], kind: Flag["kind"]) => flags.filter((f) => f.kind === kind);

/**
 * A subject reveal as lib/subjects/reveal.ts logs it: one entry per identifier of the person
 * (e-mail, phone, Matrix ID), the searched one first. Returns the reveal's (first) seq.
 */
async function reveal(actor: Actor, person: number, at: Date, o: { searchedBy?: number; requestId?: string } = {}): Promise<number> {
  const ids: Target[] = [
    { type: "email", value: `p${person}@example.org` },
    { type: "msisdn", value: `447700${String(900000 + person)}` },
    { type: "mxid", value: `@p${person}:example.org` },
  ];
  const s = o.searchedBy ?? 0;
  const targets = [ids[s], ...ids.filter((_, i) => i !== s)];
  const base = { actor, action: "subject.reveal", outcome: "ok" as const, requestId: o.requestId ?? null, purpose: o.requestId ? null : "legal_obligation: test", details: { kind: targets[0].type }, at };
  return (await db().$transaction((tx) => appendForPersons(tx, entriesForPersons(base, targets, targets[0]))))!;
}

/** A complainant's contact revealed, as lib/complaints/manage.ts logs it. */
async function complaintReveal(actor: Actor, complaintId: string, at: Date): Promise<number> {
  return (await recordAccess({ actor, action: "complaint.contact.reveal", target: { type: "request", ref: complaintId }, outcome: "ok", purpose: "answer the complaint", details: { reference: "CMP-2026-ABC123" }, at })).seq;
}

const minute = (base: string, m: number) => new Date(new Date(base).getTime() + m * 60_000);

describe("anomaly flags", () => {
  it("many people: a reveal of a person with three identifiers is one person; web, command line and complaint reveals by one account add up", async () => {
    const w = day("2026-03-02");
    const a = ["staff-a", "a@example.org"] as const;
    const seqs: number[] = [];
    for (let i = 0; i < 10; i++) seqs.push(await reveal(web(...a), i, minute("2026-03-02T10:00:00Z", i)));
    for (let i = 10; i < 20; i++) seqs.push(await reveal(cli(...a), i, minute("2026-03-02T11:00:00Z", i)));
    seqs.push(await complaintReveal(web(...a), "complaint-1", new Date("2026-03-02T12:00:00Z")));
    // Another account reveals 7 people 21 times, each by each of their three identifiers.
    for (let i = 0; i < 21; i++) await reveal(web("staff-b", "b@example.org"), 100 + (i % 7), minute("2026-03-02T13:00:00Z", i), { searchedBy: Math.floor(i / 7) });

    expect(await db().accessLogEntry.count({ where: { actorId: "staff-a", at: { gte: w.since, lt: w.now } } })).toBe(61); // 20 reveals x 3 identifiers + 1
    const flags = of(await anomalyFlags({ ...w, workingTime: UTC_DEFAULT }), "many-subjects");
    expect(flags).toHaveLength(1);
    expect(flags[0].summary).toBe("a@example.org / cli:a@example.org revealed 21 different people in 21 reveals on 2026-03-02 (UTC); the threshold is more than 20 people in a day");
    expect(flags[0].seqs).toEqual(seqs);
    expect(flags[0].basis).toMatchObject({ since: "2026-03-02T00:00:00.000Z", until: "2026-03-03T00:00:00.000Z", count: 21, threshold: "more than 20 people in a day" });
    expect(flags[0].basis.rule).toContain("actorId staff-a");
  });

  it("outside working hours: local to the configured zone, one count per reveal", async () => {
    const w = day("2026-03-09"); // a Monday; Berlin is UTC+1 until 29 March
    const d = web("staff-d", "d@example.org");
    const early = await reveal(d, 200, new Date("2026-03-09T07:30:00Z")); // 08:30 in Berlin
    await reveal(d, 201, new Date("2026-03-09T08:30:00Z")); // 09:30
    await reveal(d, 202, new Date("2026-03-09T12:00:00Z"));
    const late = await reveal(d, 203, new Date("2026-03-09T16:30:00Z")); // 17:30
    const berlin = parseWorkingTime({ timeZone: "Europe/Berlin", hours: "09:00-17:00", days: "mon-fri" });

    const [flag] = of(await anomalyFlags({ ...w, workingTime: berlin }), "outside-hours");
    expect(flag.summary).toBe("2 reveal(s) outside working hours (Mon-Fri 09:00-17:00 Europe/Berlin) from 2026-03-09T00:00Z to 2026-03-10T00:00Z: d@example.org: 2");
    expect(flag.seqs).toEqual([early, late]);
    expect(flag.basis.count).toBe(2);
    // The same reveals are all inside the default, Mon-Fri 07:00-19:00 UTC.
    expect(of(await anomalyFlags({ ...w, workingTime: UTC_DEFAULT }), "outside-hours")).toEqual([]);
  });

  it("no linked request: subject reveals on a stated purpose, counted once each; complaint reveals are tied to their complaint", async () => {
    const w = day("2026-03-16");
    const e = web("staff-e", "e@example.org");
    const a = await reveal(e, 300, new Date("2026-03-16T10:00:00Z"));
    const b = await reveal(e, 301, new Date("2026-03-16T10:05:00Z"));
    await reveal(e, 302, new Date("2026-03-16T10:10:00Z"), { requestId: "req-linked" });
    await complaintReveal(e, "complaint-2", new Date("2026-03-16T10:15:00Z"));

    const [flag] = of(await anomalyFlags({ ...w, workingTime: UTC_DEFAULT }), "no-request");
    expect(flag.summary).toBe("2 reveal(s) without a linked request (a stated purpose only) from 2026-03-16T00:00Z to 2026-03-17T00:00Z: e@example.org: 2");
    expect(flag.seqs).toEqual([a, b]);
  });

  it("counts every reveal in the window, however many; only the example seqs are capped", async () => {
    const w = day("2026-03-21"); // a Saturday: every reveal is outside working hours
    const g = cli("staff-g", "g@example.org");
    const seqs: number[] = [];
    for (let i = 0; i < 60; i++) seqs.push(await reveal(g, 400 + (i % 5), minute("2026-03-21T03:00:00Z", i)));
    const [flag] = of(await anomalyFlags({ ...w, workingTime: UTC_DEFAULT }), "outside-hours");
    expect(flag.basis.count).toBe(60);
    expect(flag.summary).toMatch(/^60 reveal\(s\) outside working hours .*: cli:g@example.org: 60$/);
    expect(flag.seqs).toEqual(seqs.slice(0, 50));
    // 60 reveals of 5 people: not "many people".
    expect(of(await anomalyFlags({ ...w, workingTime: UTC_DEFAULT }), "many-subjects")).toEqual([]);
  });

  it("denied attempts: by account across web and command line, failed sign-ins by the account tried and by address", async () => {
    const w = day("2026-03-30");
    const h = ["staff-h", "h@example.org"] as const;
    for (let i = 0; i < 3; i++) await recordAccess({ actor: web(...h), action: "authz.denied", outcome: "denied", at: minute("2026-03-30T09:00:00Z", i) });
    for (let i = 0; i < 2; i++) await recordAccess({ actor: cli(...h), action: "cli.operator.verify", outcome: "denied", target: { type: "staff", ref: h[0] }, details: { reason: "bad-code" }, at: minute("2026-03-30T09:10:00Z", i) });

    // Someone guesses one account's password: once from an address, then five times from clients
    // no trusted proxy names ("unknown").
    const f = await seedEnrolledStaff({ email: "f@example.org" });
    const attempt = (email: string, ip: string, m: number) => signInWithCredentials({ email, password: "wrong password, again", code: "123456" }, { ip, userAgent: "vitest", now: minute("2026-03-30T10:00:00Z", m) });
    await attempt(f.email, "198.51.100.1", 0);
    for (let i = 1; i <= 5; i++) await attempt(f.email, "unknown", i);
    // One address tries five accounts that do not exist.
    for (let i = 0; i < 5; i++) await attempt(`nobody${i}@example.org`, "203.0.113.9", 10 + i);

    const flags = of(await anomalyFlags({ ...w, workingTime: UTC_DEFAULT }), "denied-attempts");
    expect(flags.map((x) => x.summary)).toEqual([
      "h@example.org / cli:h@example.org: 5 denied attempts from 2026-03-30T00:00Z to 2026-03-31T00:00Z (threshold 5)",
      "6 failed sign-ins to the staff account f@example.org from 2 address(es), 2026-03-30T00:00Z to 2026-03-31T00:00Z (threshold 5)",
      "5 denied attempts without a signed-in account from the address 203.0.113.9, 2026-03-30T00:00Z to 2026-03-31T00:00Z (threshold 5)",
    ]);
    expect(flags[1].basis.rule).toBe(`outcome denied; action auth.signin; targetType staff, targetRef ${f.staff.id}`);
    expect(flags.every((x) => x.seqs.length === x.basis.count)).toBe(true);
    const signIns = await db().accessLogEntry.findMany({ where: { action: "auth.signin", outcome: "denied", targetRef: f.staff.id }, select: { seq: true, actorLabel: true } });
    expect(signIns.map((s) => s.seq)).toEqual(flags[1].seqs);
    expect(new Set(signIns.map((s) => s.actorLabel))).toEqual(new Set(["anonymous"]));
  });

  it("checkpoint overdue: entries added and no tree head for 24 hours", async () => {
    await sealCheckpoint(web("staff-aud", "aud@example.org"));
    const cp = await db().accessLogCheckpoint.findFirstOrThrow({ orderBy: { seq: "desc" } });
    const after = (h: number) => new Date(cp.sealedAt.getTime() + h * 3_600_000);
    expect(of(await anomalyFlags({ now: after(30) }), "checkpoint-overdue")).toEqual([]); // nothing added since
    await recordAccess({ actor: web("staff-aud", "aud@example.org"), action: "accessLog.view", outcome: "ok" });
    expect(of(await anomalyFlags({ now: after(1) }), "checkpoint-overdue")).toEqual([]);
    const [flag] = of(await anomalyFlags({ now: after(25) }), "checkpoint-overdue");
    expect(flag.summary).toBe(`no tree head sealed since ${cp.sealedAt.toISOString()} (more than 24 h before ${after(25).toISOString()}) while 1 entries were added`);
    expect(flag.basis.count).toBe(1);
  });

  it("witnesses silent: no witness run recorded for longer than the threshold; a failed run is an alert", async () => {
    const silent = of(await anomalyFlags({ now: new Date(Date.now() + 60_000) }), "witnesses-silent");
    expect(silent).toHaveLength(1);
    expect(silent[0].summary).toMatch(/^no witness run or tree-head fetch was ever recorded/);

    await db().staff.create({ data: { id: "staff-aud", email: "aud@example.org", displayName: "Auditor", role: "auditor", passwordHash: "!unusable" } });
    await sealCheckpoint(web("staff-aud", "aud@example.org"));
    const dir = path.join(tmp, "witness");
    const run = async () => {
      const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
      const err = vi.spyOn(console, "error").mockImplementation(() => {});
      try {
        return await witnessCommand.run({ values: { dir, db: testDb.current.url, operator: "aud@example.org", workers: "0" }, positionals: [] });
      } finally {
        out.mockRestore();
        err.mockRestore();
      }
    };
    expect(await run()).toBe(0);
    const entry = await db().accessLogEntry.findFirstOrThrow({ where: { action: "accessLog.witness" }, orderBy: { seq: "desc" } });
    expect(entry).toMatchObject({ actorId: "staff-aud", actorLabel: "cli:aud@example.org", outcome: "ok" });
    const at = (h: number) => new Date(entry.at.getTime() + h * 3_600_000);

    expect(of(await anomalyFlags({ now: at(1) }), "witnesses-silent")).toEqual([]);
    const [late] = of(await anomalyFlags({ now: at(25) }), "witnesses-silent");
    expect(late.summary).toMatch(new RegExp(`^no witness run or tree-head fetch recorded for 25 h \\(threshold 24 h\\): the last was accessLog.witness by cli:aud@example.org at ${entry.at.toISOString().replace(/\./g, "\\.")}`));
    expect(late.seqs).toEqual([entry.seq]);
    expect(of(await anomalyFlags({ now: at(25), witnessMaxAgeHours: 48 }), "witnesses-silent")).toEqual([]);

    // The witness keeps a head the log no longer reaches: the run fails, is recorded, and flagged.
    fs.writeFileSync(path.join(dir, "witness-old.json"), JSON.stringify({ witnessedAt: "2026-01-01T00:00:00.000Z", sth: null, observed: { size: 1_000_000, root: "0".repeat(64) } }));
    expect(await run()).toBe(1);
    const [failed] = of(await anomalyFlags({ now: new Date(Date.now() + 60_000) }), "witness-failed");
    expect(failed.severity).toBe("alert");
    expect(failed.summary).toMatch(/^the last recorded witness run \(cli:aud@example.org, .*\) found the log not consistent with its heads: log shrank;/);
  });
});
