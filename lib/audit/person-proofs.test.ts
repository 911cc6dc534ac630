import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { recordAccess } from "@/lib/audit/log";
import { sealCheckpoint } from "@/lib/audit/checkpoint";
import { publicKeyFileFor } from "@/lib/audit/checkpoint-key";
import { checkInclusionProofs, inclusionProofsFor } from "@/lib/audit/person-proofs";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import checkProofs from "@/lib/cli/commands/audit-check-proofs";
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
});
