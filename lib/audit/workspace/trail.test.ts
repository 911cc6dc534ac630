import Papa from "papaparse";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { sealCheckpoint } from "@/lib/audit/checkpoint";
import { recordAccess } from "@/lib/audit/log";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { getAccessLogHeadSeq } from "@/lib/audit/queries";
import { buildEvidencePack, checkEvidencePack, readZip } from "@/lib/audit/workspace/evidence";
import { drawSample } from "@/lib/audit/workspace/sample";
import { countRequestTrail, findRequestTrail, getTrailScope, iterateRequestTrail, SUBJECT_MATCH_LABEL, type TrailScope } from "@/lib/audit/workspace/trail";
import { exportSample, exportTrail, viewTrail } from "@/lib/audit/workspace/views";
import { zipFiles } from "@/lib/exports/zip";
import { seedStaff } from "@/lib/requests/testing";
import { linkSubject } from "@/lib/subjects/link";
import { useTestConsoleDb } from "@/lib/test/console-db";

// A request's trail: entries naming it, plus entries about its linked subjects written while it
// was open (marked as matched by subject); paged for the page, in seq-ordered pages for the
// pack, the CLI and the CSV; every view and export logged, unknown ids as not_found.

useTestConsoleDb();
const DAY = 86_400_000;
const now = Date.now();
const ann = "ann@example.org";
let dpo: Awaited<ReturnType<typeof seedStaff>>;
let auditor: Awaited<ReturnType<typeof seedStaff>>;
let requestId: string;
let scope: TrailScope;
const bySubject: number[] = [];
const notInTrail: number[] = [];

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

beforeAll(async () => {
  dpo = await seedStaff("dpo");
  auditor = await seedStaff("auditor");
  const r = await db().request.create({ data: {
    reference: "R-TRAIL-1", type: "erasure", state: "received", requesterName: "Ann", requesterContact: ann, identification: "x", channel: "email",
    receivedAt: new Date(now - 12 * DAY), dueAt: new Date(now + 20 * DAY), createdById: dpo.id, createdAt: new Date(now - 10 * DAY),
  } });
  requestId = r.id;
  const linked = await linkSubject({ actor: dpo.actor, role: "dpo" }, { kind: "email", value: ann, requestId });
  expect(linked.ok).toBe(true);
  const search = (value: string, at: number) => recordAccess({ actor: dpo.actor, action: "subject.search", outcome: "ok", target: { type: "email", value }, at: new Date(at) });
  notInTrail.push((await search(ann, now - 11 * DAY)).seq); // before registration
  bySubject.push((await search(ann, now - 5 * DAY)).seq);
  bySubject.push((await recordAccess({ actor: dpo.actor, action: "subject.reveal", outcome: "ok", purpose: "=1+1 checking a complaint", target: { type: "email", value: ann }, at: new Date(now - 4 * DAY) })).seq);
  notInTrail.push((await search("bob@example.org", now - 5 * DAY)).seq); // someone else
  await recordAccess({ actor: dpo.actor, action: "subject.reveal", outcome: "ok", requestId, purpose: "request", target: { type: "email", value: ann }, at: new Date(now - 3 * DAY) });
  // A bulk batch: one entry per row.
  for (let i = 0; i < 30; i++) await recordAccess({ actor: dpo.actor, action: "erasure.batch.row", outcome: "ok", requestId, details: { row: i } });
  await db().request.update({ where: { id: requestId }, data: { closedAt: new Date(now - DAY), state: "closed" } });
  notInTrail.push((await search(ann, now - DAY / 2)).seq); // after the close
  scope = (await getTrailScope(requestId))!;
});

describe("a request's trail", () => {
  it("holds the entries naming the request and, marked, those about its linked subject while it was open", async () => {
    expect(scope.pseudonyms).toEqual([pseudonymFor("email", ann)]);
    expect(await countRequestTrail(scope)).toEqual({ entries: 34, bySubject: 2 });
    const all = [];
    for await (const page of iterateRequestTrail(scope, { upToSeq: await getAccessLogHeadSeq() })) all.push(...page);
    expect(all).toHaveLength(34);
    expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((a, b) => a - b));
    expect(all.filter((e) => e.match === "subject").map((e) => [e.seq, e.action])).toEqual([[bySubject[0], "subject.search"], [bySubject[1], "subject.reveal"]]);
    expect(all.filter((e) => e.match === "request").every((e) => e.requestId === requestId)).toBe(true);
    for (const seq of notInTrail) expect(all.map((e) => e.seq)).not.toContain(seq);
  });

  it("is read a page at a time: the page's pages and the seq-ordered pages hold the same entries", async () => {
    const first = await findRequestTrail({ scope, page: 1, pageSize: 10, sort: "seq", dir: "asc" });
    expect(first).toMatchObject({ count: 34, bySubject: 2, page: 1, pageSize: 10, totalPages: 4 });
    expect(first.data).toHaveLength(10);
    const pages = [first];
    for (let p = 2; p <= 4; p++) pages.push(await findRequestTrail({ scope, page: p, pageSize: 10, sort: "seq", dir: "asc" }));
    expect(pages[3].data).toHaveLength(4);
    const chunks: number[][] = [];
    for await (const page of iterateRequestTrail(scope, { upToSeq: await getAccessLogHeadSeq(), pageSize: 7 })) chunks.push(page.map((e) => e.seq));
    expect(chunks.map((c) => c.length)).toEqual([7, 7, 7, 7, 6]);
    expect(pages.flatMap((p) => p.data.map((e) => e.seq))).toEqual(chunks.flat());
    const byAction = await findRequestTrail({ scope, page: 1, pageSize: 100, sort: "action", dir: "asc" });
    expect(byAction.data.map((e) => e.action)).toEqual([...byAction.data.map((e) => e.action)].sort());
    expect(byAction.data.find((e) => e.seq === bySubject[0])?.match).toBe("subject");
  });

  it("iterating up to a seq leaves out what was written later", async () => {
    const upToSeq = await getAccessLogHeadSeq();
    await recordAccess({ actor: dpo.actor, action: "request.note", outcome: "ok", requestId });
    const seqs = [];
    for await (const page of iterateRequestTrail(scope, { upToSeq })) seqs.push(...page.map((e) => e.seq));
    expect(seqs.every((s) => s <= upToSeq)).toBe(true);
    expect(await countRequestTrail(scope, upToSeq)).toEqual({ entries: seqs.length, bySubject: 2 });
    expect((await countRequestTrail(scope)).entries).toBe(seqs.length + 1);
  });

  it("viewing a page is logged with the page; an unknown or malformed id is logged as not_found", async () => {
    const found = await viewTrail(auditor.actor, requestId, { page: 2, pageSize: 10, sort: "seq", dir: "asc" });
    expect(found?.result.data).toHaveLength(10);
    const last = () => db().accessLogEntry.findFirstOrThrow({ where: { actorId: auditor.id }, orderBy: { seq: "desc" } });
    const ok = await last();
    expect(ok).toMatchObject({ action: "audit.trail.view", outcome: "ok", targetType: "request", targetRef: requestId });
    expect(JSON.parse(ok.details!)).toEqual({ entries: found!.result.count, matchedBySubject: 2, page: 2, pageSize: 10, sort: "seq asc" });

    expect(await viewTrail(auditor.actor, "no-such-request", { page: 1, pageSize: 25, sort: "seq", dir: "asc" })).toBeNull();
    const missing = await last();
    expect(missing).toMatchObject({ action: "audit.trail.view", outcome: "not_found", targetRef: null });
    expect(JSON.parse(missing.details!)).toEqual({ requestId: "no-such-request" });
    expect(await viewTrail(auditor.actor, "<b>ann@example.org</b>", { page: 1, pageSize: 25, sort: "seq", dir: "asc" })).toBeNull();
    expect(JSON.parse((await last()).details!)).toEqual({ requestId: null });
  });

  it("exports the whole trail as CSV, formula-safe, marked, logged first, without its own entry", async () => {
    const before = await countRequestTrail(scope);
    const out = await exportTrail(auditor.actor, requestId);
    const csv = await text(out!.stream);
    const parsed = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true });
    expect(parsed.meta.fields?.at(-1)).toBe("match");
    expect(parsed.data).toHaveLength(before.entries);
    expect(out!.rows).toBe(before.entries);
    expect(parsed.data.filter((r) => r.match === SUBJECT_MATCH_LABEL).map((r) => Number(r.seq))).toEqual(bySubject);
    expect(parsed.data.find((r) => Number(r.seq) === bySubject[1])?.purpose).toBe("'=1+1 checking a complaint");
    expect(csv).not.toContain("audit.trail.export");
    const logged = await db().accessLogEntry.findFirstOrThrow({ where: { action: "audit.trail.export" }, orderBy: { seq: "desc" } });
    expect(logged).toMatchObject({ actorId: auditor.id, outcome: "ok", targetRef: requestId });
    expect(JSON.parse(logged.details!)).toMatchObject({ format: "csv", rows: before.entries, matchedBySubject: 2 });

    expect(await exportTrail(auditor.actor, "no-such-request")).toBeNull();
    const missing = await db().accessLogEntry.findFirstOrThrow({ where: { action: "audit.trail.export" }, orderBy: { seq: "desc" } });
    expect(missing).toMatchObject({ outcome: "not_found" });
  });

  it("exports the sample table as CSV, logged with the request ids", async () => {
    const cutoff = new Date().toISOString();
    const { sample, csv } = await exportSample(auditor.actor, { seed: "csv-seed", n: 5, cutoff });
    expect(sample).toEqual(await drawSample("csv-seed", 5, cutoff));
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe("seed,n,cutoff,reference,requestId,type,state,receivedAt,closedAt");
    expect(lines.slice(1)).toEqual(sample.requests.map((r) => ["csv-seed", 5, cutoff, r.reference, r.id, r.type, r.state, r.receivedAt, r.closedAt ?? ""].join(",")));
    const logged = await db().accessLogEntry.findFirstOrThrow({ where: { action: "audit.sample.export" }, orderBy: { seq: "desc" } });
    expect(JSON.parse(logged.details!)).toEqual({ format: "csv", seed: "csv-seed", n: 5, cutoff, population: sample.population, requestIds: sample.requests.map((r) => r.id), rows: sample.requests.length });
  });

  it("an evidence pack carries the trail with its subject matches named, and still checks", async () => {
    await sealCheckpoint({ id: auditor.id, label: auditor.email, role: "auditor" }); // a pack needs a signed tree head
    const cutoff = new Date().toISOString();
    const pack = await buildEvidencePack({ seed: "pack-seed", n: 1, cutoff });
    expect(pack.sample.requests.map((r) => r.id)).toEqual([requestId]);
    const trail = JSON.parse((await readZip(pack.zip)).get("trail.json")!.toString());
    expect(trail).toHaveLength(1);
    expect(trail[0].matchedBySubject).toEqual(bySubject);
    expect(trail[0].entries).toHaveLength(pack.entries);
    expect(pack.entries).toBe((await countRequestTrail(scope)).entries);
    const checked = await checkEvidencePack(pack.zip);
    expect(checked.problems).toEqual([]);
    expect(checked).toMatchObject({ ok: true, requests: 1, entries: pack.entries });

    // A subject match the pack cannot back (the subject's pseudonym swapped) is named, whatever else breaks.
    const files = await readZip(pack.zip);
    const forged = JSON.parse(files.get("trail.json")!.toString());
    forged[0].subjectPseudonyms = ["0".repeat(64)];
    files.set("trail.json", Buffer.from(JSON.stringify(forged)));
    const rezipped = await zipFiles([...files].map(([name, bytes]) => ({ name, bytes, contentType: "application/json" })), new Date());
    const bad = await checkEvidencePack(rezipped.zip);
    expect(bad.ok).toBe(false);
    expect(bad.problems).toEqual(expect.arrayContaining([`trail entry ${bySubject[0]}: listed as matched by subject, but it is not about one of request ${requestId}'s subjects while it was open`]));
  });
});
