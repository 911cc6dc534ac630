import crypto from "node:crypto";
import { deriveKey } from "@/lib/keys";
import { normaliseIdentifier } from "@/lib/sydent/normalise";

// A target's pseudonym: HMAC-SHA256(key, "<type>:<normalised identifier>") in hex. The same person
// always maps to the same pseudonym, so "who looked at this person" is answerable by recomputing
// it from the identifier, while the log itself never holds the identifier.

export type PseudonymType = "email" | "msisdn" | "mxid" | "lookup_hash" | BlockTargetType;
/** Abuse-block targets (lib/blocks/targets.ts): IP address/CIDR, e-mail domain, homeserver name. */
export type BlockTargetType = "ip" | "domain" | "homeserver";

export function pseudonymFor(type: PseudonymType, value: string, key?: Buffer): string {
  const normalised =
    type === "lookup_hash" ? value.trim()
    : type === "ip" || type === "domain" || type === "homeserver" ? value.trim().toLowerCase()
    : normaliseIdentifier(type, value);
  return crypto
    .createHmac("sha256", key ?? deriveKey("pseudonym-v1"))
    .update(`${type}:${normalised}`, "utf8")
    .digest("hex");
}
