import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { dateLogCopies, truthLogs } from "@/lib/logs/test-helpers";
import { seedStaff } from "@/lib/requests/testing";
import { totpCode } from "@/lib/auth/totp";
import { seedEnrolledStaff } from "@/lib/auth/testing";
import { attestationFile } from "@/lib/retention/attestation";
import { FIXTURE_DIR, tempDir } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// retention:audit, retention:enforce (dry run), retention:verify and retention:policy through the
// real command line, on copies of the fixture's logs judged as of truth.json's reference_now.

const ctx = useTestConsoleDb();
const dir = tempDir();
let dpo: Awaited<ReturnType<typeof seedStaff>>;
let admin: Awaited<ReturnType<typeof seedStaff>>;
let support: Awaited<ReturnType<typeof seedStaff>>;

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
  support = await seedStaff("support");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function cli(cmd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "lib/cli/index.ts", cmd, ...args], {
    encoding: "utf8",
    env: { ...process.env, CONSOLE_DATABASE_URL: ctx.current.url, CUSTODIAN_DATA_DIR: ctx.current.dataDir },
  });
  let json = null;
  try {
    json = r.stdout ? JSON.parse(r.stdout) : null;
  } catch {
    json = null;
  }
  return { code: r.status, out: r.stdout, json, stderr: r.stderr };
}

describe("retention commands", () => {
  it("retention:audit: every file judged, overdue findings first, no log line printed, exit 3 when overdue", async () => {
    const r = cli("retention:audit", "--operator", dpo.email, "--now", truthLogs.reference_now, "--summary");
    expect(r.code, r.stderr).toBe(3);
    expect(r.json.overdue).toBe(true);
    const files = r.json.sources.flatMap((s: { files: { file: string }[] }) => s.files);
    expect(files.length).toBe(truthLogs.log_files.length);
    const hap = r.json.sources.find((s: { source: string }) => s.source === "haproxy:haproxy");
    expect(hap.findings[0]).toMatchObject({ kind: "overdue", overdueDays: 130 });
    expect(r.json.stores.some((s: { finding: string }) => s.finding === "no-policy")).toBe(true);
    expect(r.out).not.toMatch(/_matrix\/identity/);
    const att = await db().retentionAttestation.findUnique({ where: { id: r.json.attestationId } });
    expect(att?.kind).toBe("audit");
  });

  it("retention:audit refuses a role without retention.audit and a --now in the future", () => {
    expect(cli("retention:audit", "--operator", support.email).code).toBe(2);
    expect(cli("retention:audit", "--operator", dpo.email, "--now", "2999-01-01T00:00:00Z").code).toBe(2);
  });

  it("retention:files: the page's list from the newest attestation, filtered and sorted; --csv is the page's export; both logged", async () => {
    const expired = truthLogs.log_files.filter((f) => f.instance === "is1" && f.older_than_days?.["60"]).map((f) => path.basename(f.path)).sort();
    const r = cli("retention:files", "--operator", support.email, "--source", "sydent:is1");
    expect(r.code).toBe(2); // support may not view retention
    const j = cli("retention:files", "--operator", dpo.email, "--source", "sydent:is1", "--verdict", "expired", "--sort", "name");
    expect(j.code, j.stderr).toBe(0);
    expect(j.json).toMatchObject({ source: "sydent:is1", total: truthLogs.log_files.filter((f) => f.instance === "is1").length, count: expired.length });
    expect(j.json.files.map((f: { name: string }) => f.name)).toEqual(expired);
    expect(j.json.files.every((f: { classes: string[] }) => f.classes.includes("lookup"))).toBe(true);
    const c = cli("retention:files", "--operator", dpo.email, "--source", "sydent:is1", "--verdict", "expired", "--sort", "name", "--dir", "desc", "--csv");
    expect(c.code, c.stderr).toBe(0);
    const lines = c.out.trimEnd().split("\r\n");
    expect(lines[0].split(",").slice(0, 4)).toEqual(["source", "file", "path", "verdict"]);
    expect(lines.slice(1).map((l: string) => l.split(",")[1])).toEqual([...expired].reverse());
    const last = await db().accessLogEntry.findFirstOrThrow({ orderBy: { seq: "desc" } });
    expect(last.action).toBe("retention.files.export");
    expect(JSON.parse(last.details!)).toMatchObject({ via: "cli", source: "sydent:is1", filters: { verdict: "expired" }, rows: expired.length });
    expect(cli("retention:files", "--operator", dpo.email, "--source", "sydent:is1", "--verdict", "late").code).toBe(2);
    expect(cli("retention:files", "--operator", dpo.email, "--source", "sydent:nope").code).toBe(1);
  });

  it("retention:enforce is a dry run by default: lists the plan, changes nothing", () => {
    const before = fs.readdirSync(path.join(dir, "haproxy")).sort();
    const r = cli("retention:enforce", "--operator", dpo.email, "--source", "haproxy:haproxy", "--now", truthLogs.reference_now);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.dryRun).toBe(true);
    expect(r.json.items.map((i: { name: string; action: string }) => `${i.action} ${i.name}`).sort()).toEqual(["delete haproxy.log.190.synthetic-aged.gz", "delete haproxy.log.62.synthetic-aged.gz"]);
    expect(fs.readdirSync(path.join(dir, "haproxy")).sort()).toEqual(before);
  });

  it("retention:verify: a downloaded attestation verifies with the pinned key; a tampered one fails", async () => {
    const att = (await db().retentionAttestation.findFirst({ orderBy: { createdAt: "desc" } }))!;
    const file = path.join(dir, "att.json");
    fs.writeFileSync(file, attestationFile(att));
    const pub = path.join(ctx.current.dataDir, "keys", "checkpoint-ed25519.pub");
    const ok = cli("retention:verify", file, "--public-key", pub);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json).toMatchObject({ ok: true, keyPinned: true, kind: "audit", judgedAsOf: JSON.parse(att.payload).judgedAsOf });
    // The newest attestation is the audit run with --now = the fixture's reference time: verify says so.
    expect(Date.parse(ok.json.judgedAsOf)).toBe(Date.parse(truthLogs.reference_now));
    const tampered = JSON.parse(fs.readFileSync(file, "utf8"));
    tampered.payload = tampered.payload.replace('"overdue":true', '"overdue":false');
    fs.writeFileSync(file, JSON.stringify(tampered));
    const bad = cli("retention:verify", file, "--public-key", pub);
    expect(bad.code).toBe(1);
    expect(bad.json.ok).toBe(false);
  });

  it("retention:policy: never beyond the notice; a second admin approves", async () => {
    const over = cli("retention:policy", "--operator", admin.email, "--propose", "--scope", "haproxy:haproxy", "--class", "haproxy", "--days", "90", "--reason", "longer");
    expect(over.code).toBe(1);
    expect(over.json.message).toMatch(/at most 60 days/);
    const p = cli("retention:policy", "--operator", admin.email, "--propose", "--scope", "haproxy:haproxy", "--class", "haproxy", "--days", "30", "--reason", "shorter is fine");
    expect(p.code, p.stderr).toBe(0);
    const { approvePolicy } = await import("@/lib/retention/policies");
    expect(await approvePolicy(admin.actor, p.json.id)).toMatchObject({ ok: false });
    const admin2 = await seedStaff("admin");
    expect(await approvePolicy(admin2.actor, p.json.id)).toMatchObject({ ok: true });
    const { loadPolicies } = await import("@/lib/retention/policies");
    const set = await loadPolicies();
    expect(set.policyFor("haproxy:haproxy").periodDays.haproxy).toBe(30);
    expect(set.policyFor("sydent:is1").periodDays.application).toBe(60);
  });

  it("retention:enforce --execute: the first one waits; the asker cannot approve; a second DPO with their code can", async () => {
    const a = await seedEnrolledStaff({ role: "dpo" });
    const b = await seedEnrolledStaff({ role: "dpo" });
    const ask = cli("retention:enforce", "--operator", a.email, "--source", "sydent:is2", "--execute", "--now", truthLogs.reference_now);
    expect(ask.code, ask.stderr).toBe(0);
    expect(ask.json.status).toBe("awaiting_approval");
    expect(fs.existsSync(path.join(dir, "is2", "sydent.log.2026-05-11.synthetic-aged.gz"))).toBe(true);
    const self = cli("retention:enforce", "--operator", a.email, "--approve", ask.json.enforcementId, "--code", totpCode(a.totpSecret), "--now", truthLogs.reference_now);
    expect(self.code).toBe(1);
    expect(self.json.message).toMatch(/second person/);
    const noCode = cli("retention:enforce", "--operator", b.email, "--approve", ask.json.enforcementId);
    expect(noCode.code).toBe(1);
    const ok = cli("retention:enforce", "--operator", b.email, "--approve", ask.json.enforcementId, "--code", totpCode(b.totpSecret), "--now", truthLogs.reference_now);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json).toMatchObject({ status: "done", overdueAfter: false });
    expect(fs.readdirSync(path.join(dir, "is2")).sort()).toEqual(["sydent.log", "sydent.log.2026-10-13.synthetic-aged.gz", "sydent.log.2026-11-18.synthetic-aged.gz", "sydent.log.2026-11-25.synthetic-aged.gz"]);
  });
});
