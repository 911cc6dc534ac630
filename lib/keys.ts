import crypto from "node:crypto";
import { env } from "@/lib/env";

// Every console key is derived from CUSTODIAN_MASTER_KEY with HKDF-SHA256 and a fixed label, so
// one secret is configured and each use gets its own independent key. Changing the master key
// breaks existing pseudonyms and TOTP secrets: it is set once (README, "Configuration").

export type KeyPurpose = "pseudonym-v1" | "totp-encryption-v1" | "download-link-v1" | "subject-identifier-v1" | "export-storage-v1" | "sydent-token-v1";

// Derived once per purpose and master key (HKDF on every seal and open was ~2 % of a bulk
// erasure's CPU); the process already holds the master key itself.
const derived = new Map<string, Buffer>();

export function deriveKey(purpose: KeyPurpose, masterHex = env().CUSTODIAN_MASTER_KEY): Buffer {
  const id = `${purpose}:${masterHex}`;
  let key = derived.get(id);
  if (!key) {
    key = Buffer.from(crypto.hkdfSync("sha256", Buffer.from(masterHex, "hex"), Buffer.alloc(0), `custodian:${purpose}`, 32));
    derived.set(id, key);
  }
  return Buffer.from(key); // a copy: a caller may wipe or change what it gets
}

/** AES-256-GCM; output "v1.<iv>.<tag>.<ciphertext>" in base64url. */
export function encryptSecret(plain: string, purpose: KeyPurpose = "totp-encryption-v1"): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", deriveKey(purpose), iv);
  const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
}

export function decryptSecret(sealed: string, purpose: KeyPurpose = "totp-encryption-v1"): string {
  const [v, iv, tag, ct] = sealed.split(".");
  if (v !== "v1" || !iv || !tag || ct === undefined) throw new Error("Unrecognised encrypted secret format");
  const decipher = crypto.createDecipheriv("aes-256-gcm", deriveKey(purpose), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
}
