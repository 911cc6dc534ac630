import fs from "node:fs";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { CHECK_EXIT, printProblems, readInputs } from "@/lib/cli/offline-check";
import { checkInclusionProofs, UNPINNED_WARNING } from "@/lib/audit/person-proofs";

// Offline: needs no database and no console configuration. Checks a who-accessed-proofs.json
// (from an access package) or any file in that format: the tree head's signature (by the pinned
// key, if given), every inclusion proof, and that no entry listed as pending is covered by the
// head. Exit 0 valid and signed by the pinned key, 1 NOT valid (every problem named), 2 could not
// check (unreadable, not JSON, unusable key file), 3 valid but no key pinned.

export default defineCommand({
  name: "audit:check-proofs",
  summary: "Check an inclusion-proofs file (who-accessed-proofs.json) offline against its signed tree head. Exit 0 valid, 1 NOT valid, 2 could not check, 3 valid but no key pinned.",
  options: {
    file: { type: "string", description: "The proofs file." },
    "public-key": { type: "string", description: "The organisation's published checkpoint key (.pub). Without it only the file's consistency with itself is checked (exit 3)." },
  },
  async run({ values }) {
    const file = values.file as string | undefined;
    if (!file || !fs.existsSync(file)) throw new UsageError(`No such proofs file: ${file ?? "(give --file)"}`);
    const keyFile = values["public-key"] as string | undefined;
    if (keyFile && !fs.existsSync(keyFile)) throw new UsageError(`No such public key file: ${keyFile}`);
    const input = readInputs(file, "proofs file", keyFile);
    if ("error" in input) {
      console.error(`Could not check: ${input.error}`);
      return CHECK_EXIT.couldNotCheck;
    }
    let json: unknown;
    try {
      json = JSON.parse(input.bytes.toString("utf8"));
    } catch {
      console.error(`Could not check: ${file}: not valid JSON`);
      return CHECK_EXIT.couldNotCheck;
    }
    const r = checkInclusionProofs(json, input.key);
    if (r.couldNotCheck) {
      console.error(`Could not check: ${r.couldNotCheck}`);
      return CHECK_EXIT.couldNotCheck;
    }
    const ok = r.problems.length === 0;
    const keyPinned = input.key !== undefined;
    printJson({ ok, keyPinned, authenticated: ok && keyPinned, ...r, warnings: keyPinned ? [] : [UNPINNED_WARNING] });
    if (!ok) {
      printProblems("Proofs", r.problems);
      return CHECK_EXIT.notValid;
    }
    if (!keyPinned) console.error(`Warning: ${UNPINNED_WARNING}`);
    return keyPinned ? CHECK_EXIT.ok : CHECK_EXIT.unpinned;
  },
});
