import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { dateLogCopies, referenceNow, truthLogs } from "@/lib/logs/test-helpers";
import { seedStaff } from "@/lib/requests/testing";
import { FIXTURE_DIR, tempDir } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { attestationFile, verifyAttestationFile } from "@/lib/retention/attestation";
import { retentionAlarm } from "@/lib/retention/queries";
import { approveEnforcement, auditAndAttest, dryRun, requestEnforcement } from "@/lib/retention/run";

// Enforcement on copies of the fixture's logs (aged 1 to 200 days), "now" = truth.json's
// reference_now. What is left is checked with plain zcat against an independent reading of the
// notice: a Sydent line about a lookup may stay 7 days, any other Sydent line 60, an HAProxy
// line 60 (tracebacks follow their record). The current files are never touched.

const ctx = useTestConsoleDb();
const dir = tempDir();
const DAY = 86_400_000;
const now = referenceNow;
let dpo: Awaited<ReturnType<typeof seedStaff>>;
let admin: Awaited<ReturnType<typeof seedStaff>>;

const zcat = (f: string) => execFileSync("zcat", ["-f", f], { encoding: "utf8", maxBuffer: 1 << 26 });
const linesOf = (text: string) => (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
const isLookup = (l: string) => / - twisted - .*"(GET|POST) \/_matrix\/identity\/(api\/v1\/(bulk_)?lookup|v2\/lookup)/.test(l) || /lookupservlet|lookupv2servlet/.test(l);

/** The lines a file may still hold at `now`, by a plain reading of the notice. */
function allowed(kind: "sydent" | "haproxy", lines: string[]): string[] {
  let keep = true;
  return lines.filter((l) => {
    const m = kind === "sydent" ? /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})/.exec(l) : /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(l);
    if (m) {
      const at = Date.parse(`${m[1]}T${m[2]}Z`);
      const days = kind === "haproxy" ? 60 : isLookup(l) ? 7 : 60;
      keep = at + days * DAY >= now.getTime();
    }
    return keep;
  });
}

beforeAll(async () => {
  for (const sub of ["is1", "is2", "haproxy"]) fs.cpSync(path.join(FIXTURE_DIR, sub), path.join(dir, sub), { recursive: true, preserveTimestamps: true });
  dateLogCopies(dir);
  for (const label of ["is1", "is2"]) {
    await db().identityServer.create({
      data: { label, serverName: `${label}.test`, dbPath: path.join(FIXTURE_DIR, `${label}.db`), sydentLogPaths: JSON.stringify([path.join(dir, label, "sydent.log*")]), haproxyLogPaths: JSON.stringify([path.join(dir, "haproxy", "haproxy.log*")]) },
    });
  }
  dpo = await seedStaff("dpo");
  admin = await seedStaff("admin");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("retention enforcement on copies of the fixture", () => {
  const before = new Map(truthLogs.log_files.map((f) => [f.path, zcat(path.join(FIXTURE_DIR, f.path))]));

  it("dry run lists exactly the expired files to delete and the straddling ones to rewrite; nothing changes", async () => {
    const d = (await dryRun("sydent:is1", now))!;
    const byName = Object.fromEntries(d.plan.items.map((i) => [path.basename(i.file), i.action]));
    expect(byName).toEqual({
      "sydent.log.2026-05-26.synthetic-aged.gz": "delete",
      "sydent.log.2026-09-27.synthetic-aged.gz": "delete",
      "sydent.log.2026-10-28.synthetic-aged.gz": "rewrite",
      "sydent.log.2026-11-19.synthetic-aged.gz": "rewrite",
    });
    for (const i of d.plan.items.filter((x) => x.action === "rewrite")) {
      const lines = linesOf(zcat(i.file));
      expect(i.linesKept).toBe(allowed("sydent", lines).length);
      expect(i.linesRemoved).toBe(lines.length - i.linesKept);
    }
    expect(fs.readdirSync(path.join(dir, "is1")).length).toBe(6);
  });

  it("the first enforcement of a source waits for a second person, then leaves exactly what policy allows", async () => {
    await auditAndAttest(dpo.actor, { now });
    expect((await retentionAlarm({ asOf: now })).overdueSources.map((s) => s.source).sort()).toEqual(["haproxy:haproxy", "sydent:is1", "sydent:is2"]);
    const keys = ["sydent:is1", "sydent:is2", "haproxy:haproxy"];
    for (const key of keys) {
      const r = await requestEnforcement(dpo.actor, key, now);
      expect(r.status).toBe("awaiting_approval");
      if (r.status !== "awaiting_approval") continue;
      expect((await approveEnforcement(dpo.actor, r.enforcementId, now)).status).toBe("refused");
      // Approved a day after the dry run: exactly the approved lines go (those expired as of the dry run).
      const done = await approveEnforcement(admin.actor, r.enforcementId, new Date(now.getTime() + DAY));
      expect(done.status).toBe("done");
      if (done.status === "done") {
        expect(done.overdueAfter).toBe(false);
        expect(done.actions.every((a) => a.status !== "skipped")).toBe(true);
      }
    }
    for (const f of truthLogs.log_files) {
      const kind = f.kind;
      const file = path.join(dir, f.path);
      const want = allowed(kind, linesOf(before.get(f.path)!));
      if (want.length === 0) {
        expect(fs.existsSync(file), `${f.path} should be gone`).toBe(false);
        continue;
      }
      expect(linesOf(zcat(file)), f.path).toEqual(f.real ? linesOf(before.get(f.path)!) : want);
      if (f.real) expect(fs.readFileSync(file)).toEqual(fs.readFileSync(path.join(FIXTURE_DIR, f.path)));
    }
    // The dashboard's alarm reads the newest evidence per source: the re-audits after enforcement
    // (judged as of the approval, a day after the reference time).
    expect((await retentionAlarm({ asOf: new Date(now.getTime() + DAY) })).overdueSources).toEqual([]);
  });

  it("later enforcements run without approval (cron); attestations verify; a tampered one fails", async () => {
    const later = new Date(now.getTime() + 40 * DAY);
    const r = await requestEnforcement(dpo.actor, "sydent:is2", later);
    expect(r.status).toBe("done");
    const atts = await db().retentionAttestation.findMany({ orderBy: { createdAt: "asc" } });
    expect(atts.length).toBe(5);
    const pub = fs.readFileSync(path.join(ctx.current.dataDir, "keys", "checkpoint-ed25519.pub"), "utf8");
    for (const a of atts) expect(verifyAttestationFile(attestationFile(a), pub)).toMatchObject({ ok: true });
    const enf = atts.find((a) => a.kind === "enforcement")!;
    // A first enforcement's evidence names both people: who asked for it and who approved it.
    const first = JSON.parse(enf.payload);
    expect(first.requestedBy).toMatchObject({ label: dpo.email, role: "dpo" });
    expect(first.approvedBy).toMatchObject({ label: admin.email, role: "admin" });
    expect(first.operator.label).toBe(admin.email);
    // The cron run (no approval) names its requester and no approver.
    const cron = JSON.parse(atts[atts.length - 1].payload);
    expect(cron).toMatchObject({ kind: "enforcement", requestedBy: { label: dpo.email }, approvedBy: null });
    const file = JSON.parse(attestationFile(enf));
    file.payload = file.payload.replace(/"status":"deleted"/, '"status":"skipped"');
    const bad = verifyAttestationFile(JSON.stringify(file), pub);
    expect(bad.ok).toBe(false);
    expect(bad.problems.join(" ")).toMatch(/signature does not verify/);
    const entry = await db().accessLogEntry.findFirst({ where: { seq: enf.accessLogSeq! } });
    expect(entry?.action).toBe("retention.attest");
    expect(JSON.parse(entry!.details!).payloadSha256).toBe(enf.payloadSha256);
  });
});
