import crypto from "node:crypto";

// Sydent's signed JSON, reproduced with node:crypto: Ed25519 keys from a 32-byte seed (as
// signedjson/PyNaCl do), signatures over canonical JSON (sorted keys, no spaces, UTF-8) in
// unpadded standard base64, and Python json.dumps() output for what Sydent stores (sgAssoc:
// ", " / ": " separators, non-ASCII escaped as lowercase \uXXXX, keys in insertion order).

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

export type SigningKey = { privateKey: crypto.KeyObject; publicKeyBase64: string; publicKeyRaw: Buffer };

export function signingKeyFromSeed(seed: Buffer): SigningKey {
  if (seed.length !== 32) throw new Error("Ed25519 seed must be 32 bytes");
  const privateKey = crypto.createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const spki = crypto.createPublicKey(privateKey).export({ format: "der", type: "spki" });
  const publicKeyRaw = Buffer.from(spki.subarray(spki.length - 32));
  return { privateKey, publicKeyRaw, publicKeyBase64: unpaddedBase64(publicKeyRaw) };
}

export function unpaddedBase64(b: Buffer): string {
  return b.toString("base64").replace(/=+$/, "");
}

/** Matrix canonical JSON (signedjson.encode_canonical_json). */
export function canonicalJson(v: JsonValue): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(",")}}`;
}

function pyString(s: string): string {
  return JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Python's json.dumps(v) with default arguments. */
export function pythonJson(v: JsonValue): string {
  if (v === null) return "null";
  if (typeof v === "string") return pyString(v);
  if (typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pythonJson).join(", ")}]`;
  return `{${Object.keys(v).map((k) => `${pyString(k)}: ${pythonJson(v[k])}`).join(", ")}}`;
}

/** signedjson.sign_json: adds signatures[serverName]["ed25519:0"]; returns a new object. */
export function signJson(
  obj: { [k: string]: JsonValue },
  serverName: string,
  key: SigningKey,
): { [k: string]: JsonValue } {
  const { signatures: existing, unsigned: _unsigned, ...rest } = obj;
  const sig = crypto.sign(null, Buffer.from(canonicalJson(rest), "utf8"), key.privateKey);
  const signatures = { ...((existing as { [k: string]: JsonValue }) ?? {}), [serverName]: { "ed25519:0": unpaddedBase64(sig) } };
  return { ...obj, signatures };
}

export function verifySignedJson(obj: { [k: string]: JsonValue }, serverName: string, publicKeyRaw: Buffer): boolean {
  const { signatures, unsigned: _unsigned, ...rest } = obj;
  const sig = (signatures as { [k: string]: { [k: string]: string } } | undefined)?.[serverName]?.["ed25519:0"];
  if (!sig) return false;
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), publicKeyRaw]);
  const pub = crypto.createPublicKey({ key: spki, format: "der", type: "spki" });
  return crypto.verify(null, Buffer.from(canonicalJson(rest), "utf8"), pub, Buffer.from(sig, "base64"));
}
