import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearCheckpointKeyCache, loadCheckpointKey } from "@/lib/audit/checkpoint-key";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { dateLogCopies, referenceNow } from "@/lib/logs/test-helpers";
import { seedStaff } from "@/lib/requests/testing";
import { FIXTURE_DIR, tempDir } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { abandonEnforcement, approveEnforcement, requestEnforcement } from "@/lib/retention/run";

// Enforcement runs on copies of the fixture's logs: a run that throws ends "failed" with the error
// (never "running" forever) and can be asked for again; two runs of the same source at once (two
// cron jobs) cannot both act: the second is refused and says why.

useTestConsoleDb();
const dir = tempDir();
const DAY = 86_400_000;
const expiredFile = () => path.join(dir, "is1", "sydent.log.2026-05-26.synthetic-aged.gz");
let dpo: Awaited<ReturnType<typeof seedStaff>>;
let admin: Awaited<ReturnType<typeof seedStaff>>;

beforeAll(async () => {
  fs.cpSync(path.join(FIXTURE_DIR, "is1"), path.join(dir, "is1"), { recursive: true, preserveTimestamps: true });
  dateLogCopies(dir);
  await db().identityServer.create({
    data: { label: "is1", serverName: "is1.test", dbPath: path.join(FIXTURE_DIR, "is1.db"), sydentLogPaths: JSON.stringify([path.join(dir, "is1", "sydent.log*")]), haproxyLogPaths: JSON.stringify([]) },
  });
  dpo = await seedStaff("dpo");
  admin = await seedStaff("dpo");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("enforcement runs", () => {
  it("a run that throws is recorded failed with the error, changes nothing, and can be asked for again", async () => {
    const ask = await requestEnforcement(dpo.actor, "sydent:is1", referenceNow);
    expect(ask.status).toBe("awaiting_approval");
    if (ask.status !== "awaiting_approval") return;
    // The signing key is replaced by one that cannot sign attestations (an X25519 key).
    const keyFile = env().checkpointKeyFile;
    loadCheckpointKey(keyFile); // created on first use
    const good = fs.readFileSync(keyFile, "utf8");
    fs.writeFileSync(keyFile, crypto.generateKeyPairSync("x25519").privateKey.export({ format: "pem", type: "pkcs8" }) as string);
    clearCheckpointKeyCache();
    let r;
    try {
      r = await approveEnforcement(admin.actor, ask.enforcementId, referenceNow);
    } finally {
      fs.writeFileSync(keyFile, good);
      clearCheckpointKeyCache();
    }
    expect(r.status).toBe("failed");
    if (r.status === "failed") expect(r.message).toMatch(/Ed25519/);
    const row = await db().retentionEnforcement.findUniqueOrThrow({ where: { id: ask.enforcementId } });
    expect(row.state).toBe("failed");
    expect(JSON.parse(row.result!).error).toMatch(/Ed25519/);
    expect(fs.existsSync(expiredFile())).toBe(true);
    const entry = await db().accessLogEntry.findFirstOrThrow({ where: { action: "retention.enforce", outcome: "error" } });
    expect(JSON.parse(entry.details!)).toMatchObject({ enforcementId: ask.enforcementId, source: "sydent:is1" });
    // Asked for again: not blocked by the failed run; a second person approves; it is carried out.
    const again = await requestEnforcement(dpo.actor, "sydent:is1", referenceNow);
    expect(again.status).toBe("awaiting_approval");
    if (again.status !== "awaiting_approval") return;
    const done = await approveEnforcement(admin.actor, again.enforcementId, referenceNow);
    expect(done.status).toBe("done");
    expect(fs.existsSync(expiredFile())).toBe(false);
  });

  it("two runs of the same source at once: one acts, the other is refused with the reason; the next run is not blocked", async () => {
    // Forty days on, more files have expired; later enforcements run without approval (cron).
    const later = new Date(referenceNow.getTime() + 40 * DAY);
    const [a, b] = await Promise.all([requestEnforcement(dpo.actor, "sydent:is1", later), requestEnforcement(dpo.actor, "sydent:is1", later)]);
    const outcomes = [a, b].map((x) => x.status).sort();
    expect(outcomes).toEqual(["done", "refused"]);
    const refused = [a, b].find((x) => x.status === "refused")!;
    if (refused.status === "refused") expect(refused.message).toMatch(/sydent:is1 is already running .*only one runs per source at a time/);
    const done = [a, b].find((x) => x.status === "done")!;
    if (done.status === "done") expect(done.actions.length).toBeGreaterThan(0);
    expect(await db().retentionEnforcement.count({ where: { sourceKey: "sydent:is1", state: { in: ["running", "awaiting_approval"] } } })).toBe(0);
    expect((await requestEnforcement(dpo.actor, "sydent:is1", later)).status).toBe("nothing-to-do");
  });

  it("a run whose process died (left running) blocks its source until it is abandoned with a reason", async () => {
    const later = new Date(referenceNow.getTime() + 60 * DAY);
    // What a killed process leaves behind: the source claimed, never finished.
    const dead = await db().retentionEnforcement.create({ data: { sourceKey: "sydent:is1", state: "running", plan: "null", requestedById: dpo.id } });
    // The database itself allows one active enforcement per source (whatever the code checks first).
    await expect(db().retentionEnforcement.create({ data: { sourceKey: "sydent:is1", state: "awaiting_approval", plan: "null", requestedById: dpo.id } })).rejects.toMatchObject({ code: "P2002" });
    const blocked = await requestEnforcement(dpo.actor, "sydent:is1", later);
    expect(blocked.status).toBe("refused");
    if (blocked.status === "refused") expect(blocked.message).toContain(`--abandon ${dead.id}`);
    expect(await abandonEnforcement(dpo.actor, dead.id, "  ")).toMatchObject({ ok: false, message: expect.stringMatching(/reason/) });
    expect((await db().retentionEnforcement.findUniqueOrThrow({ where: { id: dead.id } })).state).toBe("running");
    expect(await abandonEnforcement(dpo.actor, dead.id, "cron host rebooted mid-run")).toEqual({ ok: true });
    const row = await db().retentionEnforcement.findUniqueOrThrow({ where: { id: dead.id } });
    expect(row.state).toBe("failed");
    expect(JSON.parse(row.result!).error).toMatch(/cron host rebooted/);
    expect(await abandonEnforcement(dpo.actor, dead.id, "again")).toMatchObject({ ok: false });
    expect((await requestEnforcement(dpo.actor, "sydent:is1", later)).status).not.toBe("refused");
  });
});
