import fs from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { startErasure } from "@/lib/erasure/workflow";
import { buildPackage } from "@/lib/exports/build";
import { collectFindings, type Finder, type LinkedSubject } from "@/lib/exports/collect";
import { encryptSecret } from "@/lib/keys";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import { searchIdentityServers, type SearchServer } from "@/lib/subjects/search";
import { grepLogs, SUBJECTS } from "@/lib/subjects/testing-fixture";
import { decideCandidate, distinguishingTag, listCandidates } from "@/lib/subjects/candidates";
import { closeSydent } from "@/lib/sydent/open";
import { copyFixture, INSTANCES, tempDir, truth } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Issue 8, "the subject is who the request verified", on copies of the real fixture with a case
// the fixture lacks: a household mailbox. Grace bound her address on is1 and unbound it (real
// fixture rows); here Bob then validates the same address and binds it to HIS Matrix ID on is1
// (local row replaced, global rows on is1 and, by replication, is2; his validation session).
// Grace's package must hold nothing of Bob, say plainly that the address is now linked to
// another account, and erasing by Grace's request must stop and ask.

useTestConsoleDb();
const dir = tempDir();
const grace = SUBJECTS.find((s) => s.key === "grace")!;
const bob = SUBJECTS.find((s) => s.key === "bob")!;
const address = grace.threepids[0].address;
const BOB_SID = 777000111;
const servers: SearchServer[] = [];

function rebind(file: string, instance: string) {
  const d = new Database(file);
  const tomb = d.prepare("SELECT ts FROM local_threepid_associations WHERE address = ?").get(address) as { ts: number } | undefined;
  const t = (tomb?.ts ?? Date.parse("2026-11-27T14:00:00Z")) + 2 * 86_400_000;
  const is1 = truth.instances.is1.server_name;
  const fields = [address, bob.mxid, t, t, t + 3_153_600_000_000];
  let originId = 900;
  if (instance === "is1") {
    d.prepare("INSERT INTO threepid_validation_sessions (id, medium, address, clientSecret, validated, mtime) VALUES (?, 'email', ?, 'household-secret', 1, ?)").run(BOB_SID, address, t - 60_000);
    originId = Number(d.prepare("REPLACE INTO local_threepid_associations (medium, address, mxid, ts, notBefore, notAfter) VALUES ('email', ?, ?, ?, ?, ?)").run(...fields).lastInsertRowid);
  }
  d.prepare("INSERT INTO global_threepid_associations (medium, address, mxid, ts, notBefore, notAfter, originServer, originId, sgAssoc) VALUES ('email', ?, ?, ?, ?, ?, ?, ?, ?)")
    .run(...fields, is1, originId, JSON.stringify({ medium: "email", address, mxid: bob.mxid }));
  d.close();
}

const find: Finder = async (q, o) => {
  const r = await searchIdentityServers(q, { expand: o.expand, servers });
  const logs = grepLogs(r.identifiers);
  return { query: q, ...r, logs, foundAnywhere: r.foundAnywhere || logs.findings.length > 0, searchedAt: "2026-11-29T14:17:58.000Z" };
};

beforeAll(async () => {
  for (const i of INSTANCES) {
    const file = copyFixture(i, dir);
    rebind(file, i);
    const row = await db().identityServer.create({ data: { label: i, serverName: truth.instances[i].server_name, dbPath: file } });
    servers.push({ id: row.id, label: i, serverName: row.serverName, dbPath: file });
  }
});
afterAll(async () => {
  await closeSydent();
  fs.rmSync(dir, { recursive: true, force: true });
});

const graceVerified: LinkedSubject[] = [{ type: "email", value: address }, { type: "mxid", value: grace.mxid! }];
const bobTraces = [bob.mxid!, ...bob.threepids.map((t) => t.address), String(BOB_SID), "bob.jones", "bob%2Ejones"];

describe("a rebound address: the earlier holder's package", () => {
  it("holds nothing of the later holder, keeps the earlier holder's own records, and says the address is now linked elsewhere", async () => {
    // The unscoped search does follow the address to Bob (that is what went wrong before).
    const unscoped = await find({ kind: "email", address }, { expand: true });
    expect(unscoped.identifiers.mxids).toContain(bob.mxid);

    const f = await collectFindings(graceVerified, find);
    const pkg = buildPackage({ findings: f, request: { id: "r", reference: "REQ-2026-0001" }, kind: "access", accessHistory: [], generatedAt: new Date("2026-12-01T00:00:00Z") });
    const text = pkg.files.filter((x) => x.name !== "manifest.json").map((x) => x.bytes.toString("utf8")).join("\n").toLowerCase();
    for (const trace of bobTraces) expect(text, trace).not.toContain(trace.toLowerCase());
    // Grace's own: her Matrix ID, her validation session, her v2 account, her log lines.
    expect(text).toContain(grace.mxid!.toLowerCase());
    expect(text).toContain(String(grace.validation_sessions[0].sid));
    expect(f.servers.flatMap((s) => s.accounts ?? []).map((a) => a.userId)).toEqual([grace.mxid]);
    expect(f.logs!.findings.length).toBeGreaterThan(0);
    // Said plainly, without naming the other account.
    const data = JSON.parse(pkg.files.find((x) => x.name === "data.json")!.bytes.toString("utf8"));
    expect(data.subject.notices).toHaveLength(1);
    expect(data.subject.notices[0]).toMatch(/is now linked to another account/);
    expect(data.subject.mxids).toEqual([grace.mxid]);
    expect(f.scope?.linkedElsewhere.map((l) => l.value)).toEqual([address]);
    // Bob's session for the shared address and his session for his own address.
    expect(f.scope?.withheld.sessions).toBe(2);
    // Bob is not offered as a candidate for Grace's request.
    expect(f.scope?.candidates.map((c) => c.value)).not.toContain(bob.mxid);
  });

  it("with only the address verified, the bound Matrix ID is a candidate and its account, other addresses and invites stay out", async () => {
    const f = await collectFindings([{ type: "email", value: address }], find);
    expect(f.scope?.candidates).toContainEqual({ type: "mxid", value: bob.mxid, via: `email:${address}` });
    expect(f.identifiers.mxids).toEqual([]);
    expect(f.servers.flatMap((s) => s.accounts ?? [])).toEqual([]);
    expect(f.identifiers.emails).toEqual([address]);
    // Bob's own e-mail is a candidate (via his Matrix ID), never pulled in.
    expect(f.scope?.candidates.map((c) => c.value)).toContain(bob.threepids[0].address);
    expect(f.servers.flatMap((s) => s.associations).some((a) => a.address === bob.threepids[0].address)).toBe(false);
  });
});

describe("a rebound address: erasure by the earlier holder", () => {
  it("stops and asks; nothing is planned", async () => {
    const staff = await seedStaff("dpo");
    const r = await seedRequest({ createdById: staff.id, receivedAt: new Date(), type: "erasure" });
    for (const s of graceVerified) {
      await db().requestSubject.create({
        data: { requestId: r.id, type: s.type, valueEnc: encryptSecret(s.value, "subject-identifier-v1"), pseudonym: pseudonymFor(s.type, s.value), masked: "g•••", addedById: staff.id },
      });
    }
    const res = await startErasure({ requestId: r.id, reason: "own_request", requestedBy: staff.actor }, { find });
    expect(res).toMatchObject({ ok: false, code: "conflict", message: expect.stringMatching(/now linked to a Matrix account that is not among the request's verified identifiers/) });
    expect(await db().erasureJob.count({ where: { requestId: r.id } })).toBe(0);
    const log = await db().accessLogEntry.findFirst({ where: { requestId: r.id, action: "erasure.request" }, orderBy: { seq: "desc" } });
    expect(log?.outcome).toBe("invalid");
  });
});

describe("candidates are confirmed one by one by a DPO", () => {
  it("lists the bound Matrix ID masked with a tag, logs the view, confirms it on a click; support may not", async () => {
    const dpo = await seedStaff("dpo");
    const support = await seedStaff("support");
    const r = await seedRequest({ createdById: dpo.id, receivedAt: new Date(), type: "access" });
    await db().requestSubject.create({
      data: { requestId: r.id, type: "email", valueEnc: encryptSecret(address, "subject-identifier-v1"), pseudonym: pseudonymFor("email", address), masked: "g•••", addedById: dpo.id },
    });
    expect(await listCandidates({ actor: support.actor, role: support.role }, r.id)).toMatchObject({ ok: false });
    const list = await listCandidates({ actor: dpo.actor, role: dpo.role }, r.id);
    if (!list.ok) throw new Error(list.message);
    const mx = list.candidates.find((c) => c.type === "mxid")!;
    expect(mx).toMatchObject({ masked: "@b••••:127.0.0.1:8448", tag: distinguishingTag("mxid", bob.mxid!), ref: pseudonymFor("mxid", bob.mxid!) });
    expect(JSON.stringify(list)).not.toContain(bob.mxid);
    // Nothing linked by listing.
    expect(await db().requestSubject.count({ where: { requestId: r.id } })).toBe(1);
    const viewed = await db().accessLogEntry.findMany({ where: { requestId: r.id, action: "request.subject.candidate" } });
    expect(viewed.map((e) => e.targetPseudonym)).toContain(pseudonymFor("mxid", bob.mxid!));

    const ok = await decideCandidate({ actor: dpo.actor, role: dpo.role }, { requestId: r.id, ref: mx.ref, decision: "confirm" });
    expect(ok).toMatchObject({ ok: true, message: expect.stringContaining(mx.tag) });
    const linked = await db().requestSubject.findMany({ where: { requestId: r.id } });
    expect(linked.map((x) => x.pseudonym)).toContain(pseudonymFor("mxid", bob.mxid!));
    const confirmed = await db().accessLogEntry.findFirst({ where: { requestId: r.id, action: "request.subject.confirm" } });
    expect(confirmed).toMatchObject({ targetType: "mxid", targetPseudonym: pseudonymFor("mxid", bob.mxid!), actorId: dpo.id });
    // Confirmed: Bob's Matrix ID is now verified, so his other address becomes the next candidate.
    const next = await listCandidates({ actor: dpo.actor, role: dpo.role }, r.id);
    expect(next.ok && next.candidates.some((c) => c.type === "mxid")).toBe(false);
  });

  it("a declined candidate is not offered again; it is listed as declined and can still be confirmed", async () => {
    const dpo = await seedStaff("dpo");
    const r = await seedRequest({ createdById: dpo.id, receivedAt: new Date(), type: "access" });
    await db().requestSubject.create({
      data: { requestId: r.id, type: "email", valueEnc: encryptSecret(address, "subject-identifier-v1"), pseudonym: pseudonymFor("email", address), masked: "g•••", addedById: dpo.id },
    });
    const op = { actor: dpo.actor, role: dpo.role };
    const first = await listCandidates(op, r.id);
    if (!first.ok) throw new Error(first.message);
    const mx = first.candidates.find((c) => c.type === "mxid")!;
    expect(mx.declined).toBeUndefined();
    expect(await decideCandidate(op, { requestId: r.id, ref: mx.ref, decision: "decline", note: "Not the requester's account" })).toMatchObject({ ok: true });
    const again = await listCandidates(op, r.id);
    if (!again.ok) throw new Error(again.message);
    expect(again.candidates.find((c) => c.ref === mx.ref)).toMatchObject({ declined: { by: dpo.actor.label, at: expect.any(String) } });
    expect(await db().requestSubject.count({ where: { requestId: r.id } })).toBe(1);
    // The DPO changes their mind: confirming still works, and the identifier is then linked.
    expect(await decideCandidate(op, { requestId: r.id, ref: mx.ref, decision: "confirm" })).toMatchObject({ ok: true });
    expect((await db().requestSubject.findMany({ where: { requestId: r.id } })).map((x) => x.pseudonym)).toContain(mx.ref);
  });

  it("two Matrix IDs that mask alike get different tags", () => {
    const a = "@bob.jones:127.0.0.1:8448";
    const b = "@bella:127.0.0.1:8448";
    expect(distinguishingTag("mxid", a)).not.toBe(distinguishingTag("mxid", b));
  });
});
