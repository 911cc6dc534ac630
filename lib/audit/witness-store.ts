import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parseSth, sthSignatureProblem, type SignedTreeHead } from "@/lib/audit/sth";

// A witness directory, kept by an auditor outside the console's reach. Files:
//   checkpoint-ed25519.pub           the pinned signing key (SPKI PEM), written on the first run
//   witness-<time>.json              one per audit:witness run: { witnessedAt, sth, observed }
//   sth-<size>-<time>.json           bare tree heads, as published on every seal
//                                    (CUSTODIAN_STH_PUBLISH_DIR); a publish directory is a valid
//                                    witness directory too.
// "observed" is the unsigned (size, root) the witness computed itself from the entries at that
// moment: it pins entries appended after the last seal, which no signature covers yet.

export type WitnessedHead = {
  kind: "signed" | "observed";
  size: number;
  root: string;
  witnessedAt: string;
  source: string;
};

export type WitnessRecord = { witnessedAt: string; sth: SignedTreeHead | null; observed: { size: number; root: string } };

export const PINNED_KEY_FILE = "checkpoint-ed25519.pub";

export function readPinnedKey(dir: string): crypto.KeyObject | null {
  const f = path.join(dir, PINNED_KEY_FILE);
  return fs.existsSync(f) ? crypto.createPublicKey(fs.readFileSync(f, "utf8")) : null;
}

/** Every head in the directory; throws (naming the file) on a malformed or badly signed one. */
export function loadWitnessDir(dir: string, pinned?: crypto.KeyObject | null): WitnessedHead[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`No such witness directory: ${dir}`);
  const heads: WitnessedHead[] = [];
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8"));
    } catch {
      throw new Error(`${name} in the witness directory is not JSON`);
    }
    const signed = (json.version ? json : json.sth) as unknown;
    if (signed) {
      let sth: SignedTreeHead;
      try {
        sth = parseSth(signed);
      } catch (e) {
        throw new Error(`${name}: ${(e as Error).message}`);
      }
      const bad = sthSignatureProblem(sth, pinned ?? undefined);
      if (bad) throw new Error(`${name}: ${bad}`);
      heads.push({ kind: "signed", size: sth.size, root: sth.root, witnessedAt: (json.witnessedAt as string) ?? sth.sealedAt, source: name });
    }
    const obs = json.observed as { size?: unknown; root?: unknown } | undefined;
    if (obs && Number.isInteger(obs.size) && typeof obs.root === "string" && /^[0-9a-f]{64}$/.test(obs.root)) {
      heads.push({ kind: "observed", size: obs.size as number, root: obs.root, witnessedAt: json.witnessedAt as string, source: name });
    }
  }
  return heads;
}

export function writeWitnessRecord(dir: string, rec: WitnessRecord): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `witness-${rec.witnessedAt.replace(/[:.]/g, "")}.json`);
  fs.writeFileSync(file, JSON.stringify(rec, null, 2) + "\n", { flag: "wx" });
  return file;
}
