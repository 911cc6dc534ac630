import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";
import { listFile } from "@/lib/blocks/lists";
import { runtimeCommands, showAcl } from "@/lib/blocks/runtime";
import { approveBlock, createBlock, expireBlocks, liftBlock, renewBlock } from "@/lib/blocks/service";
import { syncBlocks } from "@/lib/blocks/sync";
import { send, startStandIn, testHaproxy } from "@/lib/blocks/test-haproxy";
import { seedStaff } from "@/lib/requests/testing";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Blocks enforced by Debian's real HAProxy in front of a stand-in backend (ACL mechanics; the
// request shapes are Sydent's, and blocks.live.test.ts repeats them against a live Sydent).

const BACKEND_PORT = 18620;
const HAPROXY_PORT = 18621;
const h = testHaproxy({ port: HAPROXY_PORT, backend: `127.0.0.1:${BACKEND_PORT}` });
process.env.CUSTODIAN_HAPROXY_SOCKET = h.socket;
process.env.CUSTODIAN_HAPROXY_BLOCK_DIR = h.blockDir;
const ctx = useTestConsoleDb();
let backend: { close(): Promise<void> };
let support: Awaited<ReturnType<typeof seedStaff>>;
let support2: Awaited<ReturnType<typeof seedStaff>>;

const day = 86_400_000;
const inDays = (n: number) => new Date(Date.now() + n * day).toISOString();
const REASON = "requestToken flood seen in the HAProxy log";
const V1 = "/_matrix/identity/api/v1";
const FORBIDDEN = { errcode: "M_FORBIDDEN" };

async function pid(): Promise<string> {
  const [info] = await runtimeCommands(h.socket, ["show info"]);
  return /^Pid: (\d+)$/m.exec(info)![1];
}

beforeAll(async () => {
  backend = await startStandIn(BACKEND_PORT);
  await h.start();
  support = await seedStaff("support");
  support2 = await seedStaff("support");
});
afterAll(async () => {
  await h.stop();
  await backend.close();
  fs.rmSync(h.dir, { recursive: true, force: true });
});

describe("blocks enforced by the real HAProxy", () => {
  it("a source gets 200, is blocked (JSON 403, same HAProxy process), is lifted and gets 200", async () => {
    expect(ctx.current.url).toBeTruthy();
    const before = await pid();
    expect((await send(h.url, { from: "127.0.0.2" })).status).toBe(200);
    const r = await createBlock(support.actor, { kind: "ip", target: "127.0.0.2", scope: "all", reason: REASON, expiresAt: inDays(7) });
    expect(r).toMatchObject({ ok: true, state: "active" });
    const blocked = await send(h.url, { from: "127.0.0.2" });
    expect(blocked).toMatchObject({ status: 403, json: FORBIDDEN });
    expect((await send(h.url, { from: "127.0.0.3" })).status).toBe(200);
    expect(await pid()).toBe(before);
    if (!r.ok) throw new Error(r.message);
    expect(await liftBlock(support.actor, r.id, "Abuse stopped, confirmed with the reporter")).toMatchObject({ ok: true, state: "lifted" });
    expect((await send(h.url, { from: "127.0.0.2" })).status).toBe(200);
    const log = await db().accessLogEntry.findMany({ where: { actorId: support.id, action: { in: ["block.create", "block.lift"] } }, orderBy: { seq: "asc" } });
    expect(log.map((e) => [e.action, e.targetType, e.targetPseudonym])).toEqual([
      ["block.create", "ip", pseudonymFor("ip", "127.0.0.2")],
      ["block.lift", "ip", pseudonymFor("ip", "127.0.0.2")],
    ]);
    expect(JSON.stringify(log)).not.toContain("127.0.0.2");
  });

  it("an e-mail in a requestToken body, validation scope only", async () => {
    const body = { email: "Mallory@Example.org", client_secret: "s3cret", send_attempt: 1 };
    expect((await send(h.url, { path: `${V1}/validate/email/requestToken`, body })).status).toBe(200);
    const r = await createBlock(support.actor, { kind: "email", target: "mallory@example.org", scope: "validation", reason: REASON, expiresAt: inDays(7) });
    expect(r.ok).toBe(true);
    expect(await send(h.url, { path: `${V1}/validate/email/requestToken`, body })).toMatchObject({ status: 403, json: FORBIDDEN });
    expect((await send(h.url, { path: `${V1}/validate/email/requestToken`, body: { ...body, email: "bob@example.org" } })).status).toBe(200);
    // A lookup of the same address is not a validation request.
    expect((await send(h.url, { path: `${V1}/lookup?medium=email&address=mallory%40example.org` })).status).toBe(200);
    if (r.ok) await liftBlock(support.actor, r.id, "Reporter confirmed the address is theirs");
    expect((await send(h.url, { path: `${V1}/validate/email/requestToken`, body })).status).toBe(200);
  });

  it("a Matrix ID in a bind body; renewing needs a new reason", async () => {
    const body = { sid: "1", client_secret: "s3cret", mxid: "@spammer:evil.example" };
    expect((await send(h.url, { path: `${V1}/3pid/bind`, body })).status).toBe(200);
    const r = await createBlock(support.actor, { kind: "mxid", target: "@spammer:evil.example", scope: "all", reason: REASON, expiresAt: inDays(7) });
    if (!r.ok) throw new Error(r.message);
    expect(await send(h.url, { path: `${V1}/3pid/bind`, body })).toMatchObject({ status: 403, json: FORBIDDEN });
    expect(await renewBlock(support.actor, r.id, { reason: REASON, expiresAt: inDays(30) })).toMatchObject({ ok: false, message: expect.stringMatching(/new reason/) });
    expect(await renewBlock(support.actor, r.id, { reason: "Still binding throwaway addresses every hour", expiresAt: inDays(30) })).toMatchObject({ ok: true });
    expect(await send(h.url, { path: `${V1}/3pid/bind`, body })).toMatchObject({ status: 403 });
    await liftBlock(support.actor, r.id, "Homeserver admin removed the account");
    expect((await send(h.url, { path: `${V1}/3pid/bind`, body })).status).toBe(200);
  });

  it("an e-mail domain is broad: pending until a second person approves, then enforced", async () => {
    const body = { email: "anyone@Spam.Example", client_secret: "s", send_attempt: 1 };
    const r = await createBlock(support.actor, { kind: "domain", target: "spam.example", scope: "validation", reason: REASON, expiresAt: inDays(7) });
    if (!r.ok) throw new Error(r.message);
    expect(r.state).toBe("pending");
    expect((await send(h.url, { path: `${V1}/validate/email/requestToken`, body })).status).toBe(200);
    expect(await approveBlock(support.actor, r.id)).toMatchObject({ ok: false, code: "same-person" });
    expect(await approveBlock(support2.actor, r.id)).toMatchObject({ ok: true, state: "active" });
    expect(await send(h.url, { path: `${V1}/validate/email/requestToken`, body })).toMatchObject({ status: 403, json: FORBIDDEN });
    expect((await send(h.url, { path: `${V1}/validate/email/requestToken`, body: { ...body, email: "a@example.org" } })).status).toBe(200);
    await liftBlock(support.actor, r.id, "Domain owner fixed their open relay");
    expect((await send(h.url, { path: `${V1}/validate/email/requestToken`, body })).status).toBe(200);
  });

  it("a phone number sent as Sydent's country + phone_number, national or international", async () => {
    const path_ = `${V1}/validate/msisdn/requestToken`;
    const national = { country: "gb", phone_number: "07700 900-123", client_secret: "s", send_attempt: 1 };
    const intl = { country: "US", phone_number: "+44 7700 900123", client_secret: "s", send_attempt: 1 };
    expect((await send(h.url, { path: path_, body: national })).status).toBe(200);
    const r = await createBlock(support.actor, { kind: "msisdn", target: "+447700900123", scope: "validation", reason: REASON, expiresAt: inDays(7) });
    if (!r.ok) throw new Error(r.message);
    expect(await send(h.url, { path: path_, body: national })).toMatchObject({ status: 403, json: FORBIDDEN });
    expect(await send(h.url, { path: path_, body: intl })).toMatchObject({ status: 403, json: FORBIDDEN });
    expect((await send(h.url, { path: path_, body: { ...national, phone_number: "07700 900124" } })).status).toBe(200);
    await liftBlock(support.actor, r.id, "Number owner asked for texts again");
    expect((await send(h.url, { path: path_, body: national })).status).toBe(200);
  });

  it("an expired block stops applying", async () => {
    const expiresAt = inDays(1);
    const r = await createBlock(support.actor, { kind: "ip", target: "127.0.0.4", scope: "all", reason: REASON, expiresAt });
    expect(r.ok).toBe(true);
    expect((await send(h.url, { from: "127.0.0.4" })).status).toBe(403);
    const sys = { id: null, label: "system:blocks-expire", role: "system" };
    expect(await expireBlocks(sys, new Date(Date.parse(expiresAt) + 1000))).toMatchObject({ ok: true, expired: 1 });
    expect((await send(h.url, { from: "127.0.0.4" })).status).toBe(200);
    const row = r.ok ? await db().abuseBlock.findUnique({ where: { id: r.id } }) : null;
    expect(row?.state).toBe("expired");
    expect(await db().accessLogEntry.count({ where: { action: "block.expire", targetPseudonym: pseudonymFor("ip", "127.0.0.4") } })).toBe(1);
  });

  it("HAProxy restarted keeps every block (the files are the source)", async () => {
    const r = await createBlock(support.actor, { kind: "ip", target: "127.0.0.5", scope: "all", reason: REASON, expiresAt: inDays(7) });
    expect(r.ok).toBe(true);
    await h.stop();
    await h.start();
    expect(await send(h.url, { from: "127.0.0.5" })).toMatchObject({ status: 403, json: FORBIDDEN });
    if (r.ok) await liftBlock(support.actor, r.id, "Cleanup after the restart check");
  });

  it("drift is detected and repaired", async () => {
    const r = await createBlock(support.actor, { kind: "ip", target: "127.0.0.6", scope: "all", reason: REASON, expiresAt: inDays(7) });
    expect(r.ok).toBe(true);
    const ipList = listFile(h.blockDir, "ip", "all");
    // Someone changes HAProxy by hand: one block removed, one unknown entry added.
    await runtimeCommands(h.socket, [`del acl ${ipList} 127.0.0.6`, `add acl ${ipList} 127.0.0.7`]);
    expect((await send(h.url, { from: "127.0.0.6" })).status).toBe(200);
    const status = await syncBlocks(support.actor, { repair: false });
    expect(status).toMatchObject({ ok: true, inSync: false, drifted: [expect.objectContaining({ list: "ip-all.lst", missing: 1, extra: 1 })] });
    const repaired = await syncBlocks(support.actor, { repair: true });
    expect(repaired).toMatchObject({ ok: true, repaired: 1 });
    expect(await syncBlocks(support.actor, { repair: false })).toMatchObject({ ok: true, inSync: true });
    expect((await send(h.url, { from: "127.0.0.6" })).status).toBe(403);
    expect((await send(h.url, { from: "127.0.0.7" })).status).toBe(200);
    expect(await db().accessLogEntry.count({ where: { action: { in: ["block.drift", "block.sync"] } } })).toBeGreaterThanOrEqual(3);
    if (r.ok) await liftBlock(support.actor, r.id, "Cleanup after the drift check");
  });
});

describe("a single change touches only its own list", () => {
  it("rewrites and patches the one list of the changed block; drift elsewhere is left for blocks:sync to report", async () => {
    const mxidList = listFile(h.blockDir, "mxid", "all");
    // Drift in another list (an entry added by hand): a block change on the IP list must not touch it.
    await runtimeCommands(h.socket, [`add acl ${mxidList} @by-hand:evil.example`]);
    const before = fs.readFileSync(mxidList, "utf8");
    const r = await createBlock(support.actor, { kind: "ip", target: "127.0.0.8", scope: "all", reason: REASON, expiresAt: inDays(7) });
    expect(r.ok).toBe(true);
    expect((await send(h.url, { from: "127.0.0.8" })).status).toBe(403);
    expect(fs.readFileSync(listFile(h.blockDir, "ip", "all"), "utf8")).toContain("127.0.0.8");
    expect(fs.readFileSync(mxidList, "utf8")).toBe(before);
    expect(await showAcl(h.socket, mxidList)).toContain("@by-hand:evil.example");
    const entry = await db().accessLogEntry.findFirst({ where: { action: "block.create" }, orderBy: { seq: "desc" } });
    expect(JSON.parse(String(entry!.details))).toMatchObject({ haproxy: { added: 1, removed: 0 } });
    // blocks:sync still sees and repairs the other list's drift.
    expect(await syncBlocks(support.actor, { repair: false })).toMatchObject({ ok: true, inSync: false, drifted: [expect.objectContaining({ list: "mxid-all.lst", extra: 1 })] });
    expect(await syncBlocks(support.actor, { repair: true })).toMatchObject({ ok: true });
    expect(await showAcl(h.socket, mxidList)).not.toContain("@by-hand:evil.example");
    if (r.ok) await liftBlock(support.actor, r.id, "Cleanup after the one-list check");
  });
});

describe("refusals leave everything as it was", () => {
  const attempt = (target: string) => createBlock(support.actor, { kind: "ip", target, scope: "all", reason: REASON, expiresAt: inDays(7) });
  const state = async () => ({ rows: await db().abuseBlock.count({ where: { state: "active" } }), acl: [...(await showAcl(h.socket, listFile(h.blockDir, "ip", "all")))], file: fs.readFileSync(listFile(h.blockDir, "ip", "all"), "utf8") });

  it("bad targets and expiries give specific errors", async () => {
    expect(await attempt("0.0.0.0/0")).toMatchObject({ ok: false, code: "invalid", message: expect.stringMatching(/every address/) });
    expect(await attempt("127.0.0.0/8")).toMatchObject({ ok: false, message: expect.stringMatching(/loopback/) });
    expect(await createBlock(support.actor, { kind: "ip", target: "127.0.0.9", scope: "all", reason: REASON, expiresAt: inDays(181) })).toMatchObject({ ok: false, message: expect.stringMatching(/180 days/) });
  });

  it("an unreachable socket: specific error, no row, files unchanged", async () => {
    const before = await state();
    process.env.CUSTODIAN_HAPROXY_SOCKET = path.join(h.dir, "nowhere.sock");
    resetEnvCache();
    try {
      expect(await attempt("127.0.0.10")).toMatchObject({ ok: false, code: "haproxy-missing", message: expect.stringMatching(/does not exist.*Nothing was changed/) });
    } finally {
      process.env.CUSTODIAN_HAPROXY_SOCKET = h.socket;
      resetEnvCache();
    }
    expect(await state()).toEqual(before);
  });

  it("a block file that cannot be written or loaded: specific error, HAProxy unchanged", async () => {
    const before = await state();
    const victim = listFile(h.blockDir, "ip", "all");
    const saved = fs.readFileSync(victim, "utf8");
    fs.rmSync(victim);
    fs.mkdirSync(victim);
    try {
      expect(await attempt("127.0.0.11")).toMatchObject({ ok: false, code: "block-file", message: expect.stringMatching(/ip-all\.lst.*directory/) });
      expect([...(await showAcl(h.socket, victim))]).toEqual(before.acl);
    } finally {
      fs.rmdirSync(victim);
      fs.writeFileSync(victim, saved);
    }
    expect(await state()).toEqual(before);
  });
});
