import fs from "node:fs";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { verifyAttestationFile } from "@/lib/retention/attestation";

// retention:verify: checks a downloaded retention attestation OFFLINE: no database, no secrets,
// only the file and (recommended) the public key to pin (the checkpoint key's .pub). Exit 0 valid,
// 1 invalid, 2 bad usage.

export default defineCommand({
  name: "retention:verify",
  summary: "Verify a retention attestation file offline (Ed25519 signature, payload hash); --public-key pins the signer.",
  positionals: "<attestation.json>",
  options: {
    "public-key": { type: "string", description: "Public key file (SPKI PEM .pub or base64 raw 32 bytes). Without it the key in the file is used (proves integrity, not who signed)." },
  },
  async run({ values, positionals }) {
    const file = positionals[0];
    if (!file) throw new UsageError("Give the attestation file.");
    if (!fs.existsSync(file)) throw new UsageError(`No such file: ${file}`);
    const keyFile = values["public-key"] as string | undefined;
    if (keyFile && !fs.existsSync(keyFile)) throw new UsageError(`No such public key file: ${keyFile}`);
    const r = verifyAttestationFile(fs.readFileSync(file, "utf8"), keyFile ? fs.readFileSync(keyFile, "utf8") : undefined);
    const p = r.payload as { kind?: string; createdAt?: string; judgedAsOf?: string; operator?: unknown; noticeVersion?: string; notice?: unknown; overdue?: boolean; findings?: number } | null;
    printJson({ ok: r.ok, problems: r.problems, keyPinned: r.keyPinned, keyId: r.keyId, kind: p?.kind ?? null, createdAt: p?.createdAt ?? null, judgedAsOf: p?.judgedAsOf ?? null, operator: p?.operator ?? null, noticeVersion: p?.noticeVersion ?? null, notice: p?.notice ?? null, overdue: p?.overdue ?? null, findings: p?.findings ?? null });
    if (!r.ok) process.stderr.write(`Attestation NOT valid: ${r.problems.join(" ")}\n`);
    else if (r.ok && p?.judgedAsOf && p.createdAt && Date.parse(p.createdAt) - Date.parse(p.judgedAsOf) > 60_000) process.stderr.write(`Note: judged as of ${p.judgedAsOf}, before it was made (${p.createdAt}): its verdicts describe that time.\n`);
    if (r.ok && !r.keyPinned) process.stderr.write("Valid with the key inside the file; pin the signer with --public-key.\n");
    return r.ok ? 0 : 1;
  },
});
