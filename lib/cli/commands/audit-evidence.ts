import fs from "node:fs";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { recordAccess } from "@/lib/audit/log";
import { buildEvidencePack, EvidenceError } from "@/lib/audit/workspace/evidence";

// Writes a signed evidence pack (lib/audit/workspace/evidence.ts) for a seeded sample; check it
// offline with audit:check-evidence. Logged as audit.evidence (seed, N, SHA-256 of the zip).
// Signed with the existing checkpoint key, which must be the latest tree head's: when the key
// file is missing or another key, or no head is sealed yet, it writes nothing, logs the refusal
// (outcome "error") and exits 1 saying why.

export default defineCommand({
  name: "audit:evidence",
  summary: "Write a signed evidence pack (zip) of a sample's trails, tree head and proofs.",
  options: {
    operator: { type: "string", description: "Staff e-mail with accessLog.export." },
    seed: { type: "string", description: "The sample's seed (audit:sample prints it)." },
    n: { type: "string", description: "How many requests (1-100, default 10)." },
    out: { type: "string", description: "Where to write the zip." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "accessLog.export");
    const seed = values.seed as string | undefined;
    if (!seed || !/^[\w.-]{1,64}$/.test(seed)) throw new UsageError("--seed is required: 1-64 letters, digits, '.', '-' or '_'");
    const n = values.n === undefined ? 10 : Number(values.n);
    if (!Number.isInteger(n) || n < 1 || n > 100) throw new UsageError("--n must be a whole number from 1 to 100");
    const out = values.out as string | undefined;
    if (!out) throw new UsageError("--out <file.zip> is required");
    if (fs.existsSync(out)) throw new UsageError(`${out} already exists`);
    let pack;
    try {
      pack = await buildEvidencePack(seed, n);
    } catch (e) {
      if (!(e instanceof EvidenceError)) throw e;
      await recordAccess({ actor, action: "audit.evidence", outcome: "error", details: { seed, n, reason: e.message } });
      console.error(`Evidence pack not written: ${e.message}`);
      return 1;
    }
    fs.writeFileSync(out, pack.zip, { flag: "wx" });
    await recordAccess({ actor, action: "audit.evidence", outcome: "ok", details: { seed, n, requests: pack.sample.requests.length, entries: pack.entries, sha256: pack.sha256 } });
    printJson({ file: out, sha256: pack.sha256, requests: pack.sample.requests.length, entries: pack.entries });
    return 0;
  },
});
