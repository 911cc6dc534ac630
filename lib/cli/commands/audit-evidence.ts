import fs from "node:fs";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { buildEvidencePack, EvidenceError } from "@/lib/audit/workspace/evidence";
import { recordEvidence, recordEvidenceRefused } from "@/lib/audit/workspace/views";
import { sampleParamsError, sampleParamsSchema } from "@/lib/audit/workspace/schemas";

// Writes a signed evidence pack (lib/audit/workspace/evidence.ts) for a seeded sample (seed, size,
// cut-off: pass the cut-off audit:sample or the workspace printed to get that very sample); check
// it offline with audit:check-evidence. Logged as audit.evidence (seed, N, cut-off, the sampled
// request ids, SHA-256 of the zip). Signed with the existing checkpoint key, which must be the
// latest tree head's: when the key file is missing or another key, or no head is sealed yet, it
// writes nothing, logs the refusal (outcome "error") and exits 1 saying why.

export default defineCommand({
  name: "audit:evidence",
  summary: "Write a signed evidence pack (zip) of a sample's trails, tree head and proofs.",
  options: {
    operator: { type: "string", description: "Staff e-mail with accessLog.export." },
    seed: { type: "string", description: "The sample's seed (audit:sample prints it)." },
    n: { type: "string", description: "How many requests (1-100, default 10)." },
    cutoff: { type: "string", description: "The sample's cut-off, a UTC time (audit:sample prints it; default: now)." },
    out: { type: "string", description: "Where to write the zip." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "accessLog.export");
    if (!values.seed) throw new UsageError("--seed is required: 1-64 letters, digits, '.', '-' or '_'");
    const parsed = sampleParamsSchema.safeParse({ seed: values.seed as string, n: values.n as string | undefined, cutoff: values.cutoff as string | undefined });
    if (!parsed.success) throw new UsageError(sampleParamsError(parsed.error));
    const out = values.out as string | undefined;
    if (!out) throw new UsageError("--out <file.zip> is required");
    const { seed, n } = parsed.data;
    const cutoff = parsed.data.cutoff ?? new Date().toISOString();
    if (fs.existsSync(out)) throw new UsageError(`${out} already exists`);
    let pack;
    try {
      pack = await buildEvidencePack({ seed, n, cutoff });
    } catch (e) {
      if (!(e instanceof EvidenceError)) throw e;
      await recordEvidenceRefused(actor, { seed, n, cutoff }, e.message);
      console.error(`Evidence pack not written: ${e.message}`);
      return 1;
    }
    fs.writeFileSync(out, pack.zip, { flag: "wx" });
    await recordEvidence(actor, pack);
    printJson({ file: out, sha256: pack.sha256, seed, n, cutoff, requests: pack.sample.requests.length, entries: pack.entries });
    return 0;
  },
});
