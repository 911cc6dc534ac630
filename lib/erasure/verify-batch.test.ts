import fs from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runErasureJob } from "@/lib/erasure/engine";
import { MultiNeedle } from "@/lib/erasure/multi-needle";
import { approvedJob, findingsForSubject, fullTruth, NOW_MS, setupWorld, type World } from "@/lib/erasure/testing";
import { verifyServer, type SubjectIds } from "@/lib/erasure/verify";
import { verifyServerBatch } from "@/lib/erasure/verify-batch";
import { closeSydent } from "@/lib/sydent/open";
import { INSTANCES, tempDir } from "@/lib/sydent/test-fixtures";
import { useTestConsoleDb } from "@/lib/test/console-db";

// Batch verification (one pass for many subjects) must give every subject exactly the verdict,
// counts and tombstones of the per-subject path, on the real fixtures: before any erasure (every
// store still holds data, so attribution between subjects is exercised), with overlapping and
// unknown subjects in the list, and after erasing some of them.

useTestConsoleDb();
const root = tempDir();
let w: World;
let subjects: SubjectIds[] = [];
beforeAll(async () => {
  w = await setupWorld(`${root}/w`);
  for (const s of fullTruth.subjects) subjects.push((await findingsForSubject(w, s)).identifiers);
  const ghost: SubjectIds = { emails: ["nobody.here@example.invalid"], msisdns: ["15550000000"], mxids: ["@nobody:example.invalid"], sids: ["999999999"] };
  // The same person twice, and a combination of two people's identifiers, must not disturb anyone.
  const mixed: SubjectIds = { emails: [...subjects[0].emails, ...subjects[1].emails], msisdns: subjects[1].msisdns, mxids: subjects[0].mxids, sids: [] };
  subjects = [...subjects, ghost, subjects[0], mixed];
}, 120_000);
afterAll(async () => {
  await closeSydent();
  fs.rmSync(root, { recursive: true, force: true });
});

async function expectSameAsPerSubject(list: SubjectIds[]) {
  for (const i of INSTANCES) {
    const batch = await verifyServerBatch(w.files[i], list, { nowMs: NOW_MS });
    expect(batch).toHaveLength(list.length);
    for (const [k, ids] of list.entries()) {
      expect(batch[k], `${i} subject #${k}`).toEqual(await verifyServer(w.files[i], ids, { nowMs: NOW_MS }));
    }
  }
}

describe("verifyServerBatch", () => {
  it("gives each subject the per-subject verdict on the untouched fixtures (data still held)", async () => {
    const before = await verifyServer(w.files.is1, subjects[0], { nowMs: NOW_MS });
    expect(before.ok).toBe(false);
    await expectSameAsPerSubject(subjects);
  }, 120_000);

  it("and after some of them were erased (passes and failures side by side)", async () => {
    for (const s of fullTruth.subjects.slice(0, 3)) {
      const f = await findingsForSubject(w, s);
      const { jobId } = await approvedJob(w, f);
      await runErasureJob(jobId, w.executor, { now: () => new Date(NOW_MS) });
    }
    const after = await verifyServerBatch(w.files.is1, subjects, { nowMs: NOW_MS });
    expect(after.slice(0, 3).every((r) => r.ok)).toBe(true);
    expect(after.some((r) => !r.ok)).toBe(true);
    await expectSameAsPerSubject(subjects);
  }, 180_000);

  it("another person's longer address that contains the subject's is not the subject's data; an exact embedding is", async () => {
    // Erased above: the first subject's email, now only in rows added here to a copy's global table.
    const erased = subjects[0];
    const email = erased.emails[0];
    expect(email, "the fixture's first subject has an email").toBeTruthy();
    const file = `${root}/longer.db`;
    fs.copyFileSync(w.files.is1, file);
    const d = new Database(file);
    const add = (address: string, sg: unknown) => d.prepare("INSERT INTO global_threepid_associations (medium, address, lookup_hash, mxid, ts, notBefore, notAfter, originServer, originId, sgAssoc) VALUES ('email', ?, 'h', ?, 1, 0, 9999999999999, 'elsewhere.example', ?, ?)")
      .run(address, `@other${address.length}:elsewhere.example`, 900000 + address.length, JSON.stringify(sg));
    add(`h${email}`, { address: `h${email}`, medium: "email", invites: [{ address: `xh${email}`, medium: "email" }] });
    add(`${email}.org`, { address: `${email}.org`, note: `+${erased.msisdns[0] ?? "0"}9` });
    d.close();
    const clean = [await verifyServer(file, erased, { nowMs: NOW_MS }), ...(await verifyServerBatch(file, [erased], { nowMs: NOW_MS }))];
    for (const v of clean) expect(v.leftovers.global_threepid_associations ?? 0).toBe(0);
    const d2 = new Database(file);
    d2.prepare("INSERT INTO global_threepid_associations (medium, address, lookup_hash, mxid, ts, notBefore, notAfter, originServer, originId, sgAssoc) VALUES ('email', 'third@elsewhere.example', 'h', '@third:elsewhere.example', 1, 0, 9999999999999, 'elsewhere.example', 900001, ?)")
      .run(JSON.stringify({ address: "third@elsewhere.example", invites: [{ address: email.toUpperCase(), medium: "email" }] }));
    d2.close();
    const held = [await verifyServer(file, erased, { nowMs: NOW_MS }), ...(await verifyServerBatch(file, [erased], { nowMs: NOW_MS }))];
    for (const v of held) expect(v.leftovers.global_threepid_associations).toBe(1);
  }, 120_000);

  it("an empty list reads nothing", async () => {
    expect(await verifyServerBatch(w.files.is1, [], { nowMs: NOW_MS })).toEqual([]);
  });
});

describe("MultiNeedle", () => {
  it("finds exactly the needles a substring test finds, overlapping and nested ones included", () => {
    const needles = ["he", "she", "his", "hers", "a@b.c", "xa@b.c", "\\u00e9", "é", "@m:hs"];
    const m = new MultiNeedle(needles);
    for (const text of ["ushers", "xa@b.cd", "{\"mxid\":\"@m:hs\",\"address\":\"\\u00e9@x\"}", "é", "", "nothing"]) {
      const want = needles.map((n, i) => (text.includes(n) ? i : -1)).filter((i) => i >= 0);
      expect([...m.find(text)].sort((a, b) => a - b), text).toEqual(want);
    }
  });
});
