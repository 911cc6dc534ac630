import fs from "node:fs";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { CHECK_EXIT, printProblems, readInputs } from "@/lib/cli/offline-check";
import { checkEvidencePack } from "@/lib/audit/workspace/evidence";

// Offline (no database, no console configuration): checks an evidence pack's signature,
// manifest, every trail entry's hash and every inclusion proof. Exit 0 intact and signed by the
// pinned key; 1 NOT valid (every problem named on stderr, and in the JSON); 2 could not check
// (unreadable file, not a zip, unusable key file); 3 consistent, but no key pinned.

export default defineCommand({
  name: "audit:check-evidence",
  summary: "Check an evidence pack (zip) offline: signature, manifest, entry hashes, inclusion proofs. Exit 0 valid, 1 NOT valid, 2 could not check, 3 valid but no key pinned.",
  options: {
    file: { type: "string", description: "The evidence pack." },
    "public-key": { type: "string", description: "The checkpoint key's .pub file to pin. Without it the check only shows the pack is consistent with itself (exit 3)." },
  },
  async run({ values }) {
    const file = values.file as string | undefined;
    if (!file || !fs.existsSync(file)) throw new UsageError(`No such evidence pack: ${file ?? "(give --file)"}`);
    const keyFile = values["public-key"] as string | undefined;
    if (keyFile && !fs.existsSync(keyFile)) throw new UsageError(`No such public key file: ${keyFile}`);
    const input = readInputs(file, "evidence pack", keyFile);
    if ("error" in input) {
      console.error(`Could not check: ${input.error}`);
      return CHECK_EXIT.couldNotCheck;
    }
    const r = await checkEvidencePack(input.bytes, input.key);
    if (r.couldNotCheck) {
      console.error(`Could not check: ${r.couldNotCheck}`);
      return CHECK_EXIT.couldNotCheck;
    }
    printJson(r);
    if (!r.ok) {
      printProblems("Evidence pack", r.problems);
      return CHECK_EXIT.notValid;
    }
    for (const w of r.warnings) console.error(`Warning: ${w}`);
    return r.keyPinned ? CHECK_EXIT.ok : CHECK_EXIT.unpinned;
  },
});
