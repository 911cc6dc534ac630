import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { verifyStep, type VerifyTarget } from "@/lib/erasure/verify-step";
import type { SubjectIds } from "@/lib/erasure/verify";
import { seedStaff } from "@/lib/requests/testing";
import { setSydentAccount } from "@/lib/servers/sydent-account";
import { internalBind, internalUnbind } from "@/lib/sydent/internal-api";
import { v1Lookup } from "@/lib/sydent/client-api";
import { closeSydent } from "@/lib/sydent/open";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { KIT_DIR, LiveSydent, type LiveInstanceName } from "@/lib/test/sydent-live";

// Verification through Sydent itself, against two real, replicating Sydent 2.7.0 servers: a
// binding Sydent still serves fails verification with Sydent's answers recorded; after Sydent's own
// unbind (internal API, on Sydent's connection: no outside write) and the peer's replication, both
// servers pass with every answer recorded (HTTP 200, nothing found, v2 through Custodian's own
// registered v2 account). A real HTTP 500 from Sydent (its v2 lookups broken by the lock bug, as
// the kit's lock-bug-repro.py --live leaves them) fails verification; once Sydent is restarted the
// same verification passes again.

const run = promisify(execFile);
useTestConsoleDb();
let live: LiveSydent;
const targets = {} as Record<LiveInstanceName, VerifyTarget>;
const tag = Math.random().toString(36).slice(2, 8);
let subject: SubjectIds;

beforeAll(async () => {
  live = await LiveSydent.start();
  const hs = live.state.homeserver_stub.server_name;
  subject = { emails: [`verify.${tag}@example.invalid`], msisdns: [], mxids: [`@verify${tag}:${hs}`], sids: [] };
  const admin = await seedStaff("admin");
  for (const name of ["is1", "is2"] as const) {
    const i = live.instance(name);
    await db().identityServer.create({ data: { label: name, serverName: i.server_name, dbPath: i.db, clientApiUrl: i.client_url, internalApiUrl: i.internal_url } });
    const r = await setSydentAccount(admin.actor, { label: name, openidToken: `custodian-${tag}`, homeserver: hs });
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true, userId: `@custodian-${tag}:${hs}` });
  }
  await refreshTargets();
});
afterAll(async () => {
  await closeSydent();
  await live?.dispose();
});

async function refreshTargets() {
  for (const s of await db().identityServer.findMany()) targets[s.label as LiveInstanceName] = s;
}

async function until(what: string, check: () => Promise<boolean>, seconds = 40) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}
const servedBy = async (name: LiveInstanceName) => {
  const c = await v1Lookup(live.instance(name).client_url, "email", subject.emails[0]);
  return c.status === 200 && !!(c.body as { mxid?: string }).mxid;
};

describe("verification through Sydent (live)", () => {
  it("a binding Sydent still serves fails; after Sydent's own unbind both servers pass, answers recorded", async () => {
    const since = new Date().toISOString();
    await internalBind(live.instance("is1").internal_url, { medium: "email", address: subject.emails[0], mxid: subject.mxids[0] });
    await until("the binding to reach is2", () => servedBy("is2"));

    const held = await verifyStep(targets.is1, subject);
    expect(held.ok).toBe(false);
    expect(held.sydent?.ok).toBe(false);
    const found = Object.fromEntries(held.sydent!.answers.map((a) => [a.check, [a.statuses, a.found]]));
    expect(found).toEqual({ v1: [[200], 1], bulk: [[200], 1], hash_details: [[200], 0], v2: [[200], 1] });
    expect(held.sydent!.problems.join(" ")).toMatch(/still answers/);

    await internalUnbind(live.instance("is1").internal_url, { medium: "email", address: subject.emails[0], mxid: subject.mxids[0] });
    await until("is2 to stop answering", async () => !(await servedBy("is2")));
    for (const name of ["is1", "is2"] as const) {
      const v = await verifyStep(targets[name], subject);
      expect(v.ok, `${name}: ${JSON.stringify(v)}`).toBe(true);
      expect(v.sydent).toMatchObject({ ok: true, v2: "checked", problems: [], url: live.instance(name).client_url });
      expect(v.sydent!.answers.map((a) => [a.check, a.statuses, a.found, a.asked])).toEqual([
        ["v1", [200], 0, 1], ["bulk", [200], 0, 1], ["hash_details", [200], 0, 0], ["v2", [200], 0, 1],
      ]);
      // No personal data in what is stored: the result is counts and codes only.
      expect(JSON.stringify(v)).not.toContain(subject.emails[0]);
    }
    const errors = await live.errors(since);
    expect(errors.errors_total + errors.console_errors_total, JSON.stringify(errors.instances)).toBe(0);
  });

  it("an HTTP 500 from Sydent fails verification; after Sydent restarts the same check passes", async () => {
    // The kit's reproduction breaks is1's v2 lookups (temp table left behind) until restart.
    await run("/usr/bin/python3", [path.join(KIT_DIR, "lock-bug-repro.py"), "--live", live.runDir], { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
    const broken = await verifyStep(targets.is1, subject);
    expect(broken.ok).toBe(false);
    const v2 = broken.sydent!.answers.find((a) => a.check === "v2")!;
    expect(v2.statuses).toEqual([500]);
    expect(broken.sydent!.problems.join(" ")).toMatch(/v2: HTTP 500/);

    await live.restart();
    const again = await verifyStep(targets.is1, subject);
    expect(again.ok, JSON.stringify(again.sydent)).toBe(true);
    expect(again.sydent!.answers.every((a) => a.statuses.every((s) => s === 200))).toBe(true);
  });

  it("no answer at all (Sydent stopped) is a failed verification, not a pass", async () => {
    await live.stop();
    const down = await verifyStep(targets.is2, subject, { sydent: { timeoutMs: 2000 } });
    expect(down.ok).toBe(false);
    expect(down.sydent!.answers.find((a) => a.check === "v1")!.statuses).toEqual([null]);
    expect(down.sydent!.problems.join(" ")).toMatch(/unreachable|timeout/);
  });
});
