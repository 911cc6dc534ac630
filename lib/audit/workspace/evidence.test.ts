import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { env, resetEnvCache } from "@/lib/env";
import { recordAccess } from "@/lib/audit/log";
import { sealCheckpoint, signCheckpoint } from "@/lib/audit/checkpoint";
import { clearCheckpointKeyCache, loadCheckpointKey, publicKeyFileFor, readCheckpointKey, type CheckpointKey } from "@/lib/audit/checkpoint-key";
import { buildEvidencePack, checkEvidencePack, EVIDENCE_VERSION, EvidenceError, readZip } from "@/lib/audit/workspace/evidence";
import { seedStaff } from "@/lib/requests/testing";
import { zipFiles } from "@/lib/exports/zip";
import checkEvidence from "@/lib/cli/commands/audit-check-evidence";
import writeEvidence from "@/lib/cli/commands/audit-evidence";
import { runCli } from "@/lib/cli/testing";
import { createTestConsoleDb } from "@/lib/test/console-db";

// Evidence packs: building one never creates or swaps the signing key; the offline check names
// every fault of a damaged or forged pack (exit 1), says when it could not check at all (exit 2),
// and says loudly when no key was pinned (exit 3: consistent, signer unknown).

const dpo = { id: "staff-dpo", label: "dpo@example.org", role: "dpo" };
let cleanup: () => Promise<void>;
let dataDir: string;
const ids: string[] = [];
const SEED = "ev-seed";
const N = 3; // every request: the sample is the whole population

beforeAll(async () => {
  ({ cleanup, dataDir } = await createTestConsoleDb());
  delete process.env.CUSTODIAN_CHECKPOINT_KEY_FILE;
  resetEnvCache();
  clearCheckpointKeyCache();
  for (let i = 0; i < N; i++) {
    const r = await db().request.create({ data: {
      reference: `R-EV-${i}`, type: "access", state: "open", requesterName: "x", requesterContact: "x", identification: "x", channel: "email",
      receivedAt: new Date(), dueAt: new Date(), createdById: dpo.id,
    } });
    ids.push(r.id);
    await recordAccess({ actor: dpo, action: "request.create", outcome: "ok", target: { type: "request", ref: r.id }, requestId: r.id });
    await recordAccess({ actor: dpo, action: "subject.reveal", outcome: "ok", requestId: r.id, purpose: "request", target: { type: "email", value: `p${i}@example.org` } });
  }
});
afterAll(() => cleanup());

const sha = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");
const pub = () => fs.readFileSync(publicKeyFileFor(env().checkpointKeyFile), "utf8");
type Files = Map<string, Buffer>;
const text = (files: Files, name: string) => JSON.parse(files.get(name)!.toString("utf8"));
const put = (files: Files, name: string, v: unknown) => files.set(name, Buffer.from(typeof v === "string" ? v : JSON.stringify(v, null, 2)));
const zip = async (files: Files) => (await zipFiles([...files].map(([name, bytes]) => ({ name, bytes, contentType: "application/json" })), new Date())).zip;

/** What someone holding `key` does after changing files: a fresh manifest, signed by `key`. */
async function resign(files: Files, key: CheckpointKey): Promise<Buffer> {
  const out = new Map(files);
  const manifest = Buffer.from(JSON.stringify({
    version: EVIDENCE_VERSION, generatedAt: new Date().toISOString(),
    files: ["sample.json", "trail.json", "proofs.json"].map((name) => ({ name, sha256: sha(out.get(name)!) })),
  }));
  out.set("manifest.json", manifest);
  const signature = crypto.sign(null, Buffer.from(`${EVIDENCE_VERSION}\n${sha(manifest)}`), key.privateKey).toString("base64");
  put(out, "signature.json", { keyId: key.keyId, publicKey: key.publicKeyB64, signature });
  return zip(out);
}

describe("building an evidence pack", () => {
  it("refuses when the key file is missing, and creates no key", async () => {
    const keyFile = env().checkpointKeyFile;
    expect(fs.existsSync(keyFile)).toBe(false);
    const e = await buildEvidencePack({ seed: SEED, n: N, cutoff: new Date().toISOString() }).catch((x) => x);
    expect(e).toBeInstanceOf(EvidenceError);
    expect(e.message).toBe(`cannot sign the evidence pack: the checkpoint key file ${path.resolve(keyFile)} does not exist: check CUSTODIAN_CHECKPOINT_KEY_FILE / CUSTODIAN_DATA_DIR (or restore the key from its backup); no key was created`);
    expect(fs.existsSync(keyFile)).toBe(false);
    expect(fs.existsSync(publicKeyFileFor(keyFile))).toBe(false);
    expect(() => readCheckpointKey(keyFile)).toThrow(/does not exist/);
  });

  it("audit:evidence with the key missing writes nothing, exits 1 and logs the refusal", async () => {
    const auditor = await seedStaff("auditor");
    const out = path.join(dataDir, "refused.zip");
    const r = await runCli(writeEvidence, "--operator", auditor.email, "--seed", SEED, "--n", String(N), "--out", out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Evidence pack not written: cannot sign the evidence pack: the checkpoint key file .* does not exist/);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(env().checkpointKeyFile)).toBe(false);
    const logged = await db().accessLogEntry.findFirstOrThrow({ where: { action: "audit.evidence" }, orderBy: { seq: "desc" } });
    expect(logged.outcome).toBe("error");
    expect(JSON.parse(logged.details!)).toMatchObject({ seed: SEED, n: N, reason: expect.stringMatching(/does not exist/) });
  });

  it("refuses a sample whose trails hold more entries than one pack holds, naming the count", async () => {
    loadCheckpointKey(env().checkpointKeyFile);
    const e = await buildEvidencePack({ seed: SEED, n: N, cutoff: new Date().toISOString() }, new Date(), 1).catch((x) => x);
    expect(e).toBeInstanceOf(EvidenceError);
    expect(e.message).toMatch(/^the \d+ sampled requests' trails hold \d+ entries, more than the 1 one pack holds: draw a smaller sample/);
  });

  it("refuses while the log has no signed tree head", async () => {
    loadCheckpointKey(env().checkpointKeyFile); // what the first seal does
    await expect(buildEvidencePack({ seed: SEED, n: N, cutoff: new Date().toISOString() })).rejects.toThrow("the access log has no signed tree head yet, so nothing in the pack could be proven: seal one first (audit:seal)");
  });

  it("refuses a key file that holds another key than the latest tree head's", async () => {
    await sealCheckpoint(dpo);
    const other = path.join(dataDir, "keys", "other-ed25519.pem");
    const otherKey = loadCheckpointKey(other);
    const sealingKey = readCheckpointKey(env().checkpointKeyFile);
    process.env.CUSTODIAN_CHECKPOINT_KEY_FILE = other;
    resetEnvCache();
    try {
      await expect(buildEvidencePack({ seed: SEED, n: N, cutoff: new Date().toISOString() })).rejects.toThrow(
        `the checkpoint key ${other} (keyId ${otherKey.keyId}) is not the key that signed the latest tree head (keyId ${sealingKey.keyId})`,
      );
    } finally {
      delete process.env.CUSTODIAN_CHECKPOINT_KEY_FILE;
      resetEnvCache();
    }
  });
});

describe("checking an evidence pack", () => {
  let good: Buffer;
  let files: Files;
  let key: CheckpointKey;
  let forger: CheckpointKey;
  let lateSeq: number;

  beforeAll(async () => {
    // An entry after the head: listed as pending, which is fine since the head does not cover it.
    await recordAccess({ actor: dpo, action: "request.view", outcome: "ok", target: { type: "request", ref: ids[0] }, requestId: ids[0] });
    lateSeq = (await db().accessLogHead.findUniqueOrThrow({ where: { id: 1 } })).seq;
    good = (await buildEvidencePack({ seed: SEED, n: N, cutoff: new Date().toISOString() })).zip;
    files = await readZip(good);
    key = readCheckpointKey(env().checkpointKeyFile);
    forger = loadCheckpointKey(path.join(dataDir, "forger", "key.pem"));
  });

  it("a good pack, pinned: intact and authenticated, the late entry pending", async () => {
    const r = await checkEvidencePack(good, pub());
    expect(r).toMatchObject({ ok: true, keyPinned: true, authenticated: true, problems: [], warnings: [], keyId: key.keyId, requests: N, entries: 2 * N + 1, proofs: { checked: 2 * N, pending: 1 } });
    expect(text(files, "proofs.json").pending).toEqual([lateSeq]);
    const file = path.join(dataDir, "good.zip");
    fs.writeFileSync(file, good);
    const cli = await runCli(checkEvidence, "--file", file, "--public-key", publicKeyFileFor(env().checkpointKeyFile));
    expect(cli.code).toBe(0);
    expect(cli.stderr).toBe("");
  });

  it("a good pack, unpinned: consistent but not authenticated, said on stderr, exit 3", async () => {
    const r = await checkEvidencePack(good);
    expect(r).toMatchObject({ ok: true, keyPinned: false, authenticated: false, problems: [] });
    expect(r.warnings[0]).toMatch(/^no public key pinned: this only shows the pack is consistent with itself .*not who signed it/);
    const file = path.join(dataDir, "good.zip");
    const cli = await runCli(checkEvidence, "--file", file);
    expect(cli.code).toBe(3);
    expect(cli.json).toMatchObject({ ok: true, authenticated: false });
    expect(cli.stderr).toMatch(/^Warning: no public key pinned/);
  });

  for (const name of ["manifest.json", "signature.json", "sample.json", "trail.json", "proofs.json"]) {
    it(`${name} that is not JSON is named, not thrown (exit 1)`, async () => {
      const bad = new Map(files);
      put(bad, name, "{ this is not json");
      const r = await checkEvidencePack(await zip(bad), pub());
      expect(r.ok).toBe(false);
      expect(r.problems).toContain(`${name}: not valid JSON`);
      const file = path.join(dataDir, `bad-${name}.zip`);
      fs.writeFileSync(file, await zip(bad));
      const cli = await runCli(checkEvidence, "--file", file, "--public-key", publicKeyFileFor(env().checkpointKeyFile));
      expect(cli.code).toBe(1);
      expect(cli.stderr).toContain(`  - ${name}: not valid JSON`);
    });
  }

  it("a missing file is named", async () => {
    const bad = new Map(files);
    bad.delete("trail.json");
    const r = await checkEvidencePack(await zip(bad), pub());
    expect(r.problems).toEqual(["trail.json: missing"]);
  });

  it("a trail that is not an array, or an entry with a bad date, is named (even when re-signed)", async () => {
    const notArray = new Map(files);
    put(notArray, "trail.json", { requests: "none" });
    expect((await checkEvidencePack(await resign(notArray, key), pub())).problems).toEqual([
      "trail.json: Invalid input: expected array, received object",
    ]);
    const badAt = new Map(files);
    const trail = text(files, "trail.json");
    trail[1].entries[0].at = "yesterday-ish";
    put(badAt, "trail.json", trail);
    expect((await checkEvidencePack(await resign(badAt, key), pub())).problems).toEqual([`trail.json: request ${trail[1].requestId}, entries[0]: at: not a date`]);
  });

  it("not a zip, or an unusable pinned key: could not check (exit 2)", async () => {
    const r = await checkEvidencePack(Buffer.from("not a zip at all"), pub());
    expect(r.couldNotCheck).toMatch(/^not a zip: /);
    const file = path.join(dataDir, "not.zip");
    fs.writeFileSync(file, "not a zip at all");
    const cli = await runCli(checkEvidence, "--file", file);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/^Could not check: not a zip: /);
    const keyFile = path.join(dataDir, "garbage.pub");
    fs.writeFileSync(keyFile, "hello");
    const k = await runCli(checkEvidence, "--file", path.join(dataDir, "good.zip"), "--public-key", keyFile);
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/^Could not check: pinned public key: /);
    const dir = await runCli(checkEvidence, "--file", dataDir);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toBe(`Could not check: evidence pack ${dataDir}: is a directory\n`);
  });

  it("a pack re-signed with another key: the pack's key is not the tree head's", async () => {
    const forged = await resign(files, forger);
    const unpinned = await checkEvidencePack(forged);
    expect(unpinned.problems).toEqual([`signature: pack signed by key ${forger.keyId}, but its tree head by key ${key.keyId}`]);
    const pinned = await checkEvidencePack(forged, pub());
    expect(pinned.problems).toEqual([
      `signature: pack signed by key ${forger.keyId}, not the pinned key ${key.keyId}`,
      `signature: pack signed by key ${forger.keyId}, but its tree head by key ${key.keyId}`,
    ]);
  });

  it("a pack and head both forged with another key pass only the unpinned check, which says so (exit 3); pinned, exit 1", async () => {
    const bad = new Map(files);
    const proofs = text(files, "proofs.json");
    const h = proofs.sth;
    const signed = { seq: h.size, hash: h.entryHash, sealedAt: new Date(h.sealedAt), root: h.root, keyId: forger.keyId, sealedBy: h.sealedBy };
    proofs.sth = { ...h, keyId: forger.keyId, publicKey: forger.publicKeyB64, signature: signCheckpoint(signed, forger) };
    put(bad, "proofs.json", proofs);
    const forged = await resign(bad, forger);
    const unpinned = await checkEvidencePack(forged);
    expect(unpinned).toMatchObject({ ok: true, authenticated: false, keyId: forger.keyId });
    expect(unpinned.warnings).toHaveLength(1);
    const pinned = await checkEvidencePack(forged, pub());
    expect(pinned.ok).toBe(false);
    expect(pinned.problems).toEqual([
      `signature: pack signed by key ${forger.keyId}, not the pinned key ${key.keyId}`,
      `tree head signed by key ${forger.keyId}, not the pinned key`,
    ]);
    const file = path.join(dataDir, "forged.zip");
    fs.writeFileSync(file, forged);
    expect((await runCli(checkEvidence, "--file", file)).code).toBe(3);
    expect((await runCli(checkEvidence, "--file", file, "--public-key", publicKeyFileFor(env().checkpointKeyFile))).code).toBe(1);
  });

  it("a trail entry without a proof and not pending is named, even in a pack signed by the right key", async () => {
    const bad = new Map(files);
    const proofs = text(files, "proofs.json");
    const dropped = proofs.entries.splice(2, 1)[0];
    put(bad, "proofs.json", proofs);
    expect((await checkEvidencePack(await resign(bad, key), pub())).problems).toEqual([`trail entry ${dropped.seq}: no inclusion proof, and not listed as pending`]);
  });

  it("an entry listed as pending although the head covers it is named", async () => {
    const bad = new Map(files);
    const proofs = text(files, "proofs.json");
    const moved = proofs.entries.splice(1, 1)[0];
    proofs.pending.push(moved.seq);
    put(bad, "proofs.json", proofs);
    expect((await checkEvidencePack(await resign(bad, key), pub())).problems).toEqual([
      `entry ${moved.seq}: listed as pending, but the tree head (size ${proofs.sth.size}) covers it: its inclusion proof is missing`,
    ]);
  });

  it("a pack without a tree head is named", async () => {
    const bad = new Map(files);
    const proofs = text(files, "proofs.json");
    proofs.sth = null;
    put(bad, "proofs.json", proofs);
    expect((await checkEvidencePack(await resign(bad, key), pub())).problems).toEqual(["no signed tree head: nothing in this file can be checked"]);
  });

  it("a file the manifest does not cover, and a file twice in the zip, are named", async () => {
    const extra = new Map(files);
    put(extra, "notes.json", { trust: "me" });
    expect((await checkEvidencePack(await zip(extra), pub())).problems).toEqual(["notes.json: in the pack but not in the manifest (not covered by the signature)"]);
    const entries = [...files].map(([name, bytes]) => ({ name, bytes, contentType: "application/json" }));
    const twice = (await zipFiles([...entries, { name: "trail.json", bytes: Buffer.from("[]"), contentType: "application/json" }], new Date())).zip;
    expect((await checkEvidencePack(twice, pub())).problems).toEqual(["trail.json: more than once in the zip"]);
  });
});
