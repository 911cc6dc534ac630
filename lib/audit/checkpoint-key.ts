import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

// The checkpoint signing key: Ed25519 (node:crypto), private key as a PKCS#8 PEM file at
// env().checkpointKeyFile (default $CUSTODIAN_DATA_DIR/keys/checkpoint-ed25519.pem), created on
// first use with mode 0600 in a 0700 directory. Beside it, "<name>.pub" holds the public key as an
// SPKI PEM ("-----BEGIN PUBLIC KEY-----"), for an auditor to pin (`audit:verify --public-key`) and
// for `openssl pkeyutl -verify -pubin -inkey <name>.pub -rawin`.
//
// In the database each checkpoint row stores the public key as base64 of the raw 32-byte key
// (RFC 8032), and keyId = the first 16 hex characters of SHA-256(raw 32-byte public key).

export type CheckpointKey = {
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
  /** base64 of the raw 32-byte Ed25519 public key, as stored in AccessLogCheckpoint.publicKey. */
  publicKeyB64: string;
  keyId: string;
  file: string;
};

export function rawPublicKey(key: crypto.KeyObject): Buffer {
  const jwk = key.export({ format: "jwk" });
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || !jwk.x) throw new Error("not an Ed25519 key");
  return Buffer.from(jwk.x, "base64url");
}

export function keyIdOf(raw: Buffer): string {
  return crypto.createHash("sha256").update(raw).digest("hex").slice(0, 16);
}

/** A public key from base64 raw 32 bytes, or an SPKI PEM; throws on anything else. */
export function parsePublicKey(text: string): crypto.KeyObject {
  const t = text.trim();
  if (t.startsWith("-----BEGIN")) {
    const k = crypto.createPublicKey(t);
    if (k.asymmetricKeyType !== "ed25519") throw new Error("the public key is not an Ed25519 key");
    return k;
  }
  const raw = Buffer.from(t, "base64");
  if (raw.length !== 32 || raw.toString("base64") !== t) {
    throw new Error("expected an SPKI PEM or base64 of a raw 32-byte Ed25519 public key");
  }
  return crypto.createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
}

export function publicKeyFileFor(keyFile: string): string {
  return keyFile.replace(/\.pem$/, "") + ".pub";
}

function writeKeyFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = crypto.generateKeyPairSync("ed25519");
  const pem = privateKey.export({ format: "pem", type: "pkcs8" }) as string;
  try {
    // "wx": never overwrite a key another process created a moment ago.
    fs.writeFileSync(file, pem, { mode: 0o600, flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
}

const cache = new Map<string, CheckpointKey>();

/** The key file is missing or unreadable, and the caller must not create one (readCheckpointKey). */
export class CheckpointKeyMissingError extends Error {}

function parseKeyFile(abs: string): { privateKey: crypto.KeyObject; publicKey: crypto.KeyObject; raw: Buffer } {
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(fs.readFileSync(abs, "utf8"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw e;
    throw new Error(`${abs} does not hold a private key in PEM form`);
  }
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error(`${abs} does not hold an Ed25519 private key`);
  const publicKey = crypto.createPublicKey(privateKey);
  return { privateKey, publicKey, raw: rawPublicKey(publicKey) };
}

/**
 * Loads the existing signing key and never creates one: for signing things that must carry the
 * key the tree heads are sealed with (evidence packs). Throws CheckpointKeyMissingError, naming
 * the file, when it does not exist; writes nothing (not even the .pub file).
 */
export function readCheckpointKey(file: string): CheckpointKey {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) {
    throw new CheckpointKeyMissingError(
      `the checkpoint key file ${abs} does not exist: check CUSTODIAN_CHECKPOINT_KEY_FILE / CUSTODIAN_DATA_DIR (or restore the key from its backup); no key was created`,
    );
  }
  const { privateKey, publicKey, raw } = parseKeyFile(abs); // read afresh: the file is the truth
  return { privateKey, publicKey, publicKeyB64: raw.toString("base64"), keyId: keyIdOf(raw), file: abs };
}

/** Loads the signing key, creating it (and its .pub file) the first time: sealing only. */
export function loadCheckpointKey(file: string): CheckpointKey {
  const abs = path.resolve(file);
  const hit = cache.get(abs);
  if (hit) return hit;
  if (!fs.existsSync(abs)) writeKeyFile(abs);
  const { privateKey, publicKey, raw } = parseKeyFile(abs);
  const pubFile = publicKeyFileFor(abs);
  const pubPem = publicKey.export({ format: "pem", type: "spki" }) as string;
  if (!fs.existsSync(pubFile) || fs.readFileSync(pubFile, "utf8") !== pubPem) {
    fs.writeFileSync(pubFile, pubPem, { mode: 0o644 });
  }
  const key: CheckpointKey = { privateKey, publicKey, publicKeyB64: raw.toString("base64"), keyId: keyIdOf(raw), file: abs };
  cache.set(abs, key);
  return key;
}

/** Tests that swap key files. */
export function clearCheckpointKeyCache(): void {
  cache.clear();
}
