import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { recordAccess } from "@/lib/audit/log";
import path from "node:path";
import { sealCheckpoint, signCheckpoint } from "@/lib/audit/checkpoint";
import { loadCheckpointKey, publicKeyFileFor, readCheckpointKey } from "@/lib/audit/checkpoint-key";
import { checkInclusionProofs, inclusionProofsFor, type InclusionProofs } from "@/lib/audit/person-proofs";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import checkProofs from "@/lib/cli/commands/audit-check-proofs";
import { runCli } from "@/lib/cli/testing";
import { createTestConsoleDb } from "@/lib/test/console-db";

// The person's proofs (who-accessed-proofs.json in an access package), checked offline.

const actor = { id: null, label: "cli:test", role: "dpo" };
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ cleanup } = await createTestConsoleDb());
  for (let i = 0; i < 40; i++) {
    await recordAccess({ actor, action: "subject.reveal", outcome: "ok", purpose: "request", target: { type: "email", value: i % 4 ? `other${i}@example.org` : "alice@example.org" } });
  }
  await sealCheckpoint(actor);
  await recordAccess({ actor, action: "subject.reveal", outcome: "ok", target: { type: "email", value: "alice@example.org" } });
});
afterAll(() => cleanup());

describe("inclusion proofs for the person", () => {
  it("every entry about the person up to the latest head has a proof that checks offline; later ones are pending", async () => {
    const rows = await db().accessLogEntry.findMany({ where: { targetPseudonym: pseudonymFor("email", "alice@example.org") }, orderBy: { seq: "asc" } });
    expect(rows).toHaveLength(11);
    const p = await inclusionProofsFor(rows.map((r) => ({ seq: r.seq, hash: r.hash })));
    expect(p.sth?.size).toBe(41);
    expect(p.entries.map((e) => e.seq)).toEqual(rows.slice(0, 10).map((r) => r.seq));
    expect(p.pending).toEqual([42]);
    const pub = fs.readFileSync(publicKeyFileFor(env().checkpointKeyFile), "utf8");
    expect(checkInclusionProofs(JSON.parse(JSON.stringify(p)), pub)).toEqual({ checked: 10, pending: 1, problems: [] });

    const forged = JSON.parse(JSON.stringify(p));
    forged.entries[3].entryHash = "0".repeat(64);
    forged.sth.sealedBy = "someone";
    const r = checkInclusionProofs(forged, pub);
    expect(r.problems).toEqual(["tree head signature invalid", `entry ${p.entries[3].seq}: inclusion proof does not lead to the signed root`]);

    const file = `${env().CUSTODIAN_DATA_DIR}/who-accessed-proofs.json`;
    fs.writeFileSync(file, JSON.stringify(p));
    expect(await checkProofs.run({ values: { file, "public-key": publicKeyFileFor(env().checkpointKeyFile) }, positionals: [] })).toBe(0);
    fs.writeFileSync(file, JSON.stringify(forged));
    expect(await checkProofs.run({ values: { file }, positionals: [] })).toBe(1);
  });

  describe("damaged or incomplete files are named, never thrown", () => {
    let good: InclusionProofs;
    let pub: string;
    let pubFile: string;
    const copy = () => JSON.parse(JSON.stringify(good)) as InclusionProofs;
    const write = (name: string, v: unknown) => {
      const file = path.join(env().CUSTODIAN_DATA_DIR, name);
      fs.writeFileSync(file, typeof v === "string" ? v : JSON.stringify(v));
      return file;
    };
    beforeAll(async () => {
      const rows = await db().accessLogEntry.findMany({ where: { targetPseudonym: pseudonymFor("email", "alice@example.org") }, orderBy: { seq: "asc" } });
      good = JSON.parse(JSON.stringify(await inclusionProofsFor(rows.map((r) => ({ seq: r.seq, hash: r.hash })))));
      pubFile = publicKeyFileFor(env().checkpointKeyFile);
      pub = fs.readFileSync(pubFile, "utf8");
    });

    it("an entry listed as pending although the head covers it", async () => {
      const p = copy();
      const moved = p.entries.splice(4, 1)[0];
      p.pending.unshift(moved.seq);
      expect(checkInclusionProofs(p, pub).problems).toEqual([`entry ${moved.seq}: listed as pending, but the tree head (size 41) covers it: its inclusion proof is missing`]);
      const r = await runCli(checkProofs, "--file", write("covered.json", p), "--public-key", pubFile);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`  - entry ${moved.seq}: listed as pending, but the tree head (size 41) covers it`);
    });

    it("a file without a tree head", async () => {
      const p = copy();
      p.sth = null;
      expect(checkInclusionProofs(p, pub).problems).toEqual(["no signed tree head: nothing in this file can be checked"]);
      const onlyPending = { ...p, entries: [], pending: [42] };
      expect(checkInclusionProofs(onlyPending, pub).problems).toEqual(["no signed tree head: nothing in this file can be checked"]);
      expect((await runCli(checkProofs, "--file", write("no-head.json", onlyPending), "--public-key", pubFile)).code).toBe(1);
    });

    it("wrong shapes are named field by field", () => {
      expect(checkInclusionProofs({ ...copy(), entries: "none" }, pub).problems).toEqual(["proofs: entries: Invalid input: expected array, received string"]);
      const p = copy() as unknown as { entries: Record<string, unknown>[]; pending: unknown[] };
      p.entries[0].proof = "abc";
      delete p.entries[1].entryHash;
      p.pending.push("soon");
      expect(checkInclusionProofs(p, pub).problems).toEqual([
        "proofs: entries[0]: proof: Invalid input: expected array, received string",
        "proofs: entries[1]: entryHash: missing",
        "proofs: pending[1]: not a positive whole number",
      ]);
      expect(checkInclusionProofs([1, 2], pub).problems).toEqual(["not a custodian-inclusion-proofs-v1 file"]);
      expect(checkInclusionProofs({ ...copy(), sth: { version: "custodian-sth-v2", size: "big" } }, pub).problems).toEqual(["tree head: tree head size is not a positive whole number"]);
    });

    it("not JSON, an unreadable file or an unusable key: could not check (exit 2)", async () => {
      const notJson = write("broken.json", "{ \"format\": ");
      const r = await runCli(checkProofs, "--file", notJson, "--public-key", pubFile);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`Could not check: ${notJson}: not valid JSON\n`);
      const garbage = write("garbage.pub", "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n");
      const k = await runCli(checkProofs, "--file", write("good.json", good), "--public-key", garbage);
      expect(k.code).toBe(2);
      expect(k.stderr).toMatch(/^Could not check: pinned public key: /);
      expect(checkInclusionProofs(good, "not a key").couldNotCheck).toMatch(/^pinned public key: /);
      const dir = await runCli(checkProofs, "--file", env().CUSTODIAN_DATA_DIR);
      expect(dir.code).toBe(2);
      expect(dir.stderr).toBe(`Could not check: proofs file ${env().CUSTODIAN_DATA_DIR}: is a directory\n`);
    });

    it("unpinned, a good file exits 3 and says it proves only consistency; so does one forged with another key, which pinning refuses", async () => {
      const good3 = await runCli(checkProofs, "--file", write("good.json", good));
      expect(good3.code).toBe(3);
      expect(good3.json).toMatchObject({ ok: true, keyPinned: false, authenticated: false, checked: 10, pending: 1 });
      expect(good3.stderr).toMatch(/^Warning: no public key pinned: this only shows the file is consistent with itself/);
      expect((await runCli(checkProofs, "--file", write("good.json", good), "--public-key", pubFile)).code).toBe(0);

      const forger = loadCheckpointKey(path.join(env().CUSTODIAN_DATA_DIR, "forger", "key.pem"));
      const p = copy();
      const h = p.sth!;
      const signed = { seq: h.size, hash: h.entryHash, sealedAt: new Date(h.sealedAt), root: h.root, keyId: forger.keyId, sealedBy: h.sealedBy };
      p.sth = { ...h, keyId: forger.keyId, publicKey: forger.publicKeyB64, signature: signCheckpoint(signed, forger) };
      const file = write("forged-head.json", p);
      expect((await runCli(checkProofs, "--file", file)).code).toBe(3);
      const pinned = await runCli(checkProofs, "--file", file, "--public-key", pubFile);
      expect(pinned.code).toBe(1);
      expect(pinned.json.problems).toEqual([`tree head signed by key ${forger.keyId}, not the pinned key`]);
      expect(readCheckpointKey(env().checkpointKeyFile).keyId).not.toBe(forger.keyId);
    });
  });
});
