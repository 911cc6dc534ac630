import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBlock, liftBlock, approveBlock } from "@/lib/blocks/service";
import { send, testHaproxy, type TestHaproxy } from "@/lib/blocks/test-haproxy";
import { seedStaff } from "@/lib/requests/testing";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { LiveSydent } from "@/lib/test/sydent-live";

// Blocks in Debian's HAProxy in front of a live Sydent 2.7.0: Sydent's own request shapes
// (requestToken by e-mail and by SMS, bind) reach Sydent and get its answers until a block
// applies, then HAProxy answers the Matrix-style 403 itself; lifting lets them through again.
// Sydent rate-limits v1 e-mail requestToken to 5 per 5 minutes per client address (HAProxy's here):
// this file sends at most 4 that reach Sydent.

let live: LiveSydent;
let h: TestHaproxy;
const ctx = useTestConsoleDb();
let support: Awaited<ReturnType<typeof seedStaff>>;
let support2: Awaited<ReturnType<typeof seedStaff>>;
const V1 = "/_matrix/identity/api/v1";
const REASON = "Validation mail bombing seen in the logs";
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
const FORBIDDEN = { status: 403, json: { errcode: "M_FORBIDDEN" } };

beforeAll(async () => {
  live = await LiveSydent.start();
  const backend = new URL(live.instance("is1").client_url).host;
  h = testHaproxy({ port: 18651, backend });
  process.env.CUSTODIAN_HAPROXY_SOCKET = h.socket;
  process.env.CUSTODIAN_HAPROXY_BLOCK_DIR = h.blockDir;
  (await import("@/lib/env")).resetEnvCache();
  await h.start();
  support = await seedStaff("support");
  support2 = await seedStaff("support");
});
afterAll(async () => {
  await h?.stop();
  await live?.dispose();
  if (h) fs.rmSync(h.dir, { recursive: true, force: true });
});

async function blocked<T>(input: Record<string, string>, during: () => Promise<T>): Promise<T> {
  const r = await createBlock(support.actor, { scope: "all", reason: REASON, expiresAt: inDays(3), ...input });
  if (!r.ok) throw new Error(r.message);
  let id = r.id;
  if (r.state === "pending") {
    const a = await approveBlock(support2.actor, r.id);
    if (!a.ok) throw new Error(a.message);
    id = a.id;
  }
  try {
    return await during();
  } finally {
    const l = await liftBlock(support.actor, id, "Lifted at the end of the live check");
    if (!l.ok) throw new Error(l.message);
  }
}

describe("blocks in HAProxy in front of a live Sydent", () => {
  it("a source address: Sydent answers, then the block's 403, then Sydent again", async () => {
    expect(ctx.current.url).toBeTruthy();
    expect(await send(h.url, { path: "/_matrix/identity/v2", from: "127.0.0.2" })).toMatchObject({ status: 200 });
    await blocked({ kind: "ip", target: "127.0.0.2" }, async () => {
      expect(await send(h.url, { path: "/_matrix/identity/v2", from: "127.0.0.2" })).toMatchObject(FORBIDDEN);
      expect((await send(h.url, { path: "/_matrix/identity/v2", from: "127.0.0.3" })).status).toBe(200);
    });
    expect((await send(h.url, { path: "/_matrix/identity/v2", from: "127.0.0.2" })).status).toBe(200);
  });

  it("an e-mail in Sydent's v1 requestToken body, and its domain", async () => {
    const body = (email: string) => ({ email, client_secret: "blocks-live-secret", send_attempt: 1 });
    const path = `${V1}/validate/email/requestToken`;
    await blocked({ kind: "email", target: "mallory@example.org", scope: "validation" }, async () => {
      expect(await send(h.url, { path, body: body("Mallory@Example.org") })).toMatchObject(FORBIDDEN);
      const other = await send(h.url, { path, body: body("someone.else@example.org") });
      expect(other.status).toBe(200);
      expect(other.json).toHaveProperty("sid");
    });
    await blocked({ kind: "domain", target: "spam.example", scope: "validation" }, async () => {
      expect(await send(h.url, { path, body: body("anyone@spam.example") })).toMatchObject(FORBIDDEN);
    });
    const after = await send(h.url, { path, body: body("mallory@example.org") });
    expect(after.status).toBe(200);
    expect(after.json).toHaveProperty("sid");
  });

  it("a Matrix ID in Sydent's bind body", async () => {
    const body = { sid: "1", client_secret: "blocks-live-secret", mxid: "@spammer:evil.example" };
    const sydentsAnswer = await send(h.url, { path: `${V1}/3pid/bind`, body });
    expect(sydentsAnswer.status).not.toBe(403); // Sydent's own refusal: no validated session
    expect(sydentsAnswer.json).toHaveProperty("errcode");
    await blocked({ kind: "mxid", target: "@spammer:evil.example" }, async () => {
      expect(await send(h.url, { path: `${V1}/3pid/bind`, body })).toMatchObject(FORBIDDEN);
    });
    expect(await send(h.url, { path: `${V1}/3pid/bind`, body })).toEqual(sydentsAnswer);
  });

  it("a phone number sent as Sydent's country + phone_number", async () => {
    const body = { country: "GB", phone_number: "07700 900123", client_secret: "blocks-live-secret", send_attempt: 1 };
    const path = `${V1}/validate/msisdn/requestToken`;
    const sydentsAnswer = await send(h.url, { path, body });
    expect(sydentsAnswer.json).not.toMatchObject({ errcode: "M_FORBIDDEN" });
    await blocked({ kind: "msisdn", target: "+447700900123", scope: "validation" }, async () => {
      expect(await send(h.url, { path, body })).toMatchObject(FORBIDDEN);
      expect(await send(h.url, { path, body: { ...body, country: "gb", phone_number: "+44 7700 900123" } })).toMatchObject(FORBIDDEN);
    });
    expect((await send(h.url, { path, body })).json).not.toMatchObject({ errcode: "M_FORBIDDEN" });
  });
});
