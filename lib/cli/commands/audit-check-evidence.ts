import fs from "node:fs";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { checkEvidencePack } from "@/lib/audit/workspace/evidence";

// Offline (no database, no console configuration): checks an evidence pack's signature,
// manifest, every trail entry's hash and every inclusion proof. Exit 0 good, 1 not.

export default defineCommand({
  name: "audit:check-evidence",
  summary: "Check an evidence pack (zip) offline: signature, manifest, entry hashes, inclusion proofs.",
  options: {
    file: { type: "string", description: "The evidence pack." },
    "public-key": { type: "string", description: "The checkpoint key's .pub file to pin (recommended)." },
  },
  async run({ values }) {
    const file = values.file as string | undefined;
    if (!file || !fs.existsSync(file)) throw new UsageError(`No such evidence pack: ${file ?? "(give --file)"}`);
    const keyFile = values["public-key"] as string | undefined;
    if (keyFile && !fs.existsSync(keyFile)) throw new UsageError(`No such public key file: ${keyFile}`);
    const r = await checkEvidencePack(fs.readFileSync(file), keyFile ? fs.readFileSync(keyFile, "utf8") : undefined);
    printJson({ ...r, keyPinned: !!keyFile });
    if (!r.ok) console.error(`Evidence pack NOT valid: ${r.problems[0]}`);
    return r.ok ? 0 : 1;
  },
});
