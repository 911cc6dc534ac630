import fs from "node:fs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { recordAccess } from "@/lib/audit/log";
import { sealCheckpoint } from "@/lib/audit/checkpoint";
import { publicKeyFileFor } from "@/lib/audit/checkpoint-key";
import { checkInclusionProofs } from "@/lib/audit/person-proofs";
import { env } from "@/lib/env";
import { db } from "@/lib/db";
import { checkDownloadLink, downloadPackage } from "@/lib/exports/download";
import { loadReview } from "@/lib/exports/review";
import { purgeExpiredPackages, storagePathFor } from "@/lib/exports/store";
import { findingsFor, subjects } from "@/lib/exports/test-findings";
import { approvePackage, generatePackage, revokePackage } from "@/lib/exports/workflow";
import { encryptSecret } from "@/lib/keys";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import { useTestConsoleDb } from "@/lib/test/console-db";

// The release workflow on a real console database (SQLite, or PostgreSQL with TEST_POSTGRES_URL):
// generate -> review -> approve by a second person -> download once; every step logged with the
// requestId. The search is the fixture-backed finder (test-findings.ts).

// The public route reads the client's address from next/headers: stubbed outside a request.
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "user-agent": "mail-scanner/1.0" }) }));
const route = await import("@/app/api/exports/download/[token]/route");
const call = (method: "GET" | "POST", token: string) =>
  route[method](new Request(`http://localhost/api/exports/download/${token}`, { method }), { params: Promise.resolve({ token }) });

useTestConsoleDb();
const alice = subjects.find((s) => s.key === "alice")!;
const find = async () => findingsFor(alice);
const tokenOf = (url: string) => url.split("/").pop()!;

let dpo1: Awaited<ReturnType<typeof seedStaff>>;
let dpo2: Awaited<ReturnType<typeof seedStaff>>;

async function newRequest(type = "access") {
  const r = await seedRequest({ createdById: dpo1.id, receivedAt: new Date(), type });
  const email = alice.threepids[0].address;
  await db().requestSubject.create({
    data: { requestId: r.id, type: "email", valueEnc: encryptSecret(email, "subject-identifier-v1"), pseudonym: pseudonymFor("email", email), masked: "a•••@e••••.org", addedById: dpo1.id },
  });
  return r;
}

const actions = async (requestId: string) =>
  (await db().accessLogEntry.findMany({ where: { requestId }, orderBy: { seq: "asc" }, select: { action: true, outcome: true, actorLabel: true, targetType: true, targetPseudonym: true, details: true } }));

beforeAll(async () => {
  dpo1 = await seedStaff("dpo");
  dpo2 = await seedStaff("dpo");
});

describe("package workflow", () => {
  it("generates, refuses self-approval, approves, downloads once, then refuses", async () => {
    const note = "Court order 2026/114 from the county court";
    await recordAccess({ actor: dpo2.actor, action: "subject.reveal", target: { type: "email", value: alice.threepids[0].address }, purpose: `legal_obligation: ${note}`, outcome: "ok" });
    const r = await newRequest();
    const gen = await generatePackage(dpo1.actor, r.id, "access", { find });
    if (!gen.ok) throw new Error(gen.message);
    const stored = fs.readFileSync(storagePathFor(gen.packageId));
    expect(stored.includes(Buffer.from(alice.threepids[0].address))).toBe(false); // encrypted at rest
    expect(fs.statSync(storagePathFor(gen.packageId)).mode & 0o777).toBe(0o600);

    const pkg = (await db().exportPackage.findUnique({ where: { id: gen.packageId } }))!;
    const review = await loadReview(pkg);
    if (!review.ok) throw new Error(review.message);
    const who = review.files.find((f) => f.name === "who-accessed.csv")!.text;
    expect(who).toContain("subject.reveal");
    expect(who).toContain("dpo");
    expect(who).not.toContain(dpo2.email);
    // Only the purpose's category is released, never the staff member's note.
    expect(who).toContain("Legal obligation (e.g. a court order)");
    expect(who).not.toContain("county court");
    expect(review.files.find((f) => f.name === "guide.html")!.text).not.toContain("county court");
    expect(review.redactions.length).toBeGreaterThan(0);

    const self = await approvePackage(dpo1.actor, gen.packageId);
    expect(self).toMatchObject({ ok: false, code: "denied" });
    const ok = await approvePackage(dpo2.actor, gen.packageId);
    if (!ok.ok) throw new Error(ok.message);
    expect(ok.expiresAt.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const stateAfter = await db().exportPackage.findUnique({ where: { id: gen.packageId } });
    expect(stateAfter?.downloadTokenHash).not.toContain(tokenOf(ok.url));

    const [a, b] = await Promise.all([
      downloadPackage(tokenOf(ok.url), { ip: "203.0.113.5", userAgent: "test" }),
      downloadPackage(tokenOf(ok.url), { ip: "203.0.113.5", userAgent: "test" }),
    ]);
    const wins = [a, b].filter((x) => x.ok);
    expect(wins).toHaveLength(1);
    const win = wins[0] as Extract<typeof a, { ok: true }>;
    expect(win.sha256).toBe(pkg.sha256);
    expect(win.zip.subarray(0, 2).toString()).toBe("PK");
    expect(fs.existsSync(storagePathFor(gen.packageId))).toBe(false);
    const again = await downloadPackage(tokenOf(ok.url), {});
    expect(again).toMatchObject({ ok: false, status: 410 });

    const log = await actions(r.id);
    expect(log.map((e) => `${e.action}:${e.outcome}`)).toEqual([
      "export.generate:ok", "request.state.change:ok", "export.approve:denied", "export.approve:ok", "request.state.change:ok",
      "export.download:ok", "export.download:denied", "export.download:denied",
    ]);
    // The request follows the package: generated -> awaiting approval, approved -> in progress.
    expect(log.filter((e) => e.action === "request.state.change").map((e) => JSON.parse(e.details!))).toEqual([
      expect.objectContaining({ to: "awaiting_approval", automatic: true, cause: "package.generated" }),
      { from: "awaiting_approval", to: "in_progress", automatic: true, cause: "package.approved" },
    ]);
    expect(log.filter((e) => e.action === "export.download").every((e) => e.actorLabel === "subject-link")).toBe(true);
    // Generating and downloading handle the person's data: logged against the linked identifier.
    const person = pseudonymFor("email", alice.threepids[0].address);
    expect(log.filter((e) => e.outcome === "ok" && e.action !== "export.approve" && e.action !== "request.state.change").map((e) => [e.action, e.targetType, e.targetPseudonym])).toEqual([
      ["export.generate", "email", person], ["export.download", "email", person],
    ]);
  });

  it("refuses an expired link and purges its file", async () => {
    const r = await newRequest("portability");
    const gen = await generatePackage(dpo1.actor, r.id, undefined, { find });
    if (!gen.ok) throw new Error(gen.message);
    const approved = await approvePackage(dpo2.actor, gen.packageId, { linkDays: 1 });
    if (!approved.ok) throw new Error(approved.message);
    const later = new Date(Date.now() + 2 * 86_400_000);
    expect(await downloadPackage(tokenOf(approved.url), {}, later)).toMatchObject({ ok: false, status: 410 });
    expect((await db().exportPackage.findUnique({ where: { id: gen.packageId } }))?.state).toBe("expired");
    expect(fs.existsSync(storagePathFor(gen.packageId))).toBe(false);
    expect((await actions(r.id)).at(-1)).toMatchObject({ action: "export.download", outcome: "denied" });
  });

  it("refuses requests without a linked subject or of another type, revokes, and purges stale packages", async () => {
    const bare = await seedRequest({ createdById: dpo1.id, receivedAt: new Date(), type: "access" });
    expect(await generatePackage(dpo1.actor, bare.id, "access", { find })).toMatchObject({ ok: false, code: "invalid" });
    const erasure = await newRequest("erasure");
    expect(await generatePackage(dpo1.actor, erasure.id, "access", { find })).toMatchObject({ ok: false, code: "invalid" });
    expect((await actions(bare.id)).map((e) => `${e.action}:${e.outcome}`)).toEqual(["export.generate:invalid"]);

    const r = await newRequest();
    const gen = await generatePackage(dpo1.actor, r.id, "access", { find });
    if (!gen.ok) throw new Error(gen.message);
    expect(await revokePackage(dpo1.actor, gen.packageId)).toEqual({ ok: true });
    expect(fs.existsSync(storagePathFor(gen.packageId))).toBe(false);
    expect(await approvePackage(dpo2.actor, gen.packageId)).toMatchObject({ ok: false, code: "conflict" });

    const stale = await generatePackage(dpo1.actor, r.id, "access", { find });
    if (!stale.ok) throw new Error(stale.message);
    const purged = await purgeExpiredPackages(new Date(Date.now() + 31 * 86_400_000));
    expect(purged).toContain(stale.packageId);
    expect(fs.existsSync(storagePathFor(stale.packageId))).toBe(false);
  });

  it("answers an unknown token with 404 and logs the attempt", async () => {
    const before = await db().accessLogEntry.count({ where: { action: "export.download", outcome: "not_found" } });
    expect(await downloadPackage("x".repeat(43), {})).toMatchObject({ ok: false, status: 404 });
    expect(await db().accessLogEntry.count({ where: { action: "export.download", outcome: "not_found" } })).toBe(before + 1);
  });

  it("GET shows a page with a button and uses nothing up; POST downloads once", async () => {
    const r = await newRequest();
    const gen = await generatePackage(dpo1.actor, r.id, "access", { find });
    if (!gen.ok) throw new Error(gen.message);
    const approved = await approvePackage(dpo2.actor, gen.packageId);
    if (!approved.ok) throw new Error(approved.message);
    const token = tokenOf(approved.url);
    const logBefore = await db().accessLogEntry.count();

    // A mail scanner fetching the link twice: a page, no state change, no log entry, no personal data.
    for (let i = 0; i < 2; i++) {
      const page = await call("GET", token);
      expect(page.status).toBe(200);
      expect(page.headers.get("cache-control")).toBe("no-store");
      expect(page.headers.get("content-type")).toContain("text/html");
      const html = await page.text();
      expect(html).toMatch(/<form method="post"><button type="submit">Download the package<\/button><\/form>/);
      for (const id of [...alice.threepids.map((t) => t.address), alice.mxid!, r.reference]) expect(html).not.toContain(id);
    }
    expect(await checkDownloadLink(token)).toMatchObject({ ok: true });
    expect((await db().exportPackage.findUnique({ where: { id: gen.packageId } }))).toMatchObject({ state: "approved", downloadedAt: null });
    expect(await db().accessLogEntry.count()).toBe(logBefore);
    expect(fs.existsSync(storagePathFor(gen.packageId))).toBe(true);

    const first = await call("POST", token);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/zip");
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(Buffer.from(await first.arrayBuffer()).subarray(0, 2).toString()).toBe("PK");
    const second = await call("POST", token);
    expect(second.status).toBe(410);
    const gone = await call("GET", token);
    expect(gone.status).toBe(410);
    expect(await gone.text()).not.toContain("<form");
    expect((await call("GET", "y".repeat(43))).status).toBe(404);
    expect((await actions(r.id)).filter((e) => e.action === "export.download").map((e) => e.outcome)).toEqual(["ok", "denied"]);
  });

  it("who-accessed.csv gives each row's seq, the number of its proof in who-accessed-proofs.json, which checks against the published key; a record after the last head gets a new head, not 'pending'", async () => {
    const reveal = () => recordAccess({ actor: dpo2.actor, action: "subject.reveal", target: { type: "email", value: alice.threepids[0].address }, purpose: "request", outcome: "ok" });
    await reveal();
    await sealCheckpoint(dpo2.actor);
    await reveal(); // after the head: the package seals a new one first
    const r = await newRequest();
    const gen = await generatePackage(dpo1.actor, r.id, "access", { find });
    if (!gen.ok) throw new Error(gen.message);
    const review = await loadReview((await db().exportPackage.findUnique({ where: { id: gen.packageId } }))!);
    if (!review.ok) throw new Error(review.message);
    const [header, ...rows] = review.files.find((f) => f.name === "who-accessed.csv")!.text.trim().split(/\r?\n/);
    expect(header.split(",")[0]).toBe("seq");
    const seqs = rows.map((l) => Number(l.split(",")[0]));
    expect(seqs.length).toBeGreaterThanOrEqual(2);
    const proofs = JSON.parse(review.files.find((f) => f.name === "who-accessed-proofs.json")!.text);
    expect(proofs.pending).toEqual([]);
    expect(proofs.entries.map((e: { seq: number }) => e.seq)).toEqual(seqs);
    expect(proofs.sth.size).toBeGreaterThanOrEqual(Math.max(...seqs));
    const logged = await db().accessLogEntry.findMany({ where: { seq: { in: seqs } }, select: { seq: true, hash: true } });
    const hashOf = new Map(logged.map((e) => [e.seq, e.hash]));
    expect(proofs.entries.every((e: { seq: number; entryHash: string }) => hashOf.get(e.seq) === e.entryHash)).toBe(true);
    expect(checkInclusionProofs(proofs, fs.readFileSync(publicKeyFileFor(env().checkpointKeyFile), "utf8"))).toEqual({ checked: seqs.length, pending: 0, problems: [] });
  });
});
