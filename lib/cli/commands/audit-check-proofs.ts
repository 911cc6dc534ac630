import fs from "node:fs";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { checkInclusionProofs } from "@/lib/audit/person-proofs";

// Offline: needs no database and no console configuration. Checks a who-accessed-proofs.json
// (from an access package) or any file in that format: the tree head's signature (by the pinned
// key, if given) and every inclusion proof. Exit 0 all good, 1 a proof or signature fails.

export default defineCommand({
  name: "audit:check-proofs",
  summary: "Check an inclusion-proofs file (who-accessed-proofs.json) offline against its signed tree head.",
  options: {
    file: { type: "string", description: "The proofs file." },
    "public-key": { type: "string", description: "The organisation's published checkpoint key (.pub); without it only the signature's self-consistency is checked." },
  },
  async run({ values }) {
    const file = values.file as string | undefined;
    if (!file || !fs.existsSync(file)) throw new UsageError(`No such proofs file: ${file ?? "(give --file)"}`);
    const keyFile = values["public-key"] as string | undefined;
    if (keyFile && !fs.existsSync(keyFile)) throw new UsageError(`No such public key file: ${keyFile}`);
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
      throw new UsageError(`${file} is not JSON`);
    }
    const r = checkInclusionProofs(json, keyFile ? fs.readFileSync(keyFile, "utf8") : undefined);
    printJson({ ok: r.problems.length === 0, keyPinned: !!keyFile, ...r });
    return r.problems.length ? 1 : 0;
  },
});
