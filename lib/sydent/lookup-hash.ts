import crypto from "node:crypto";
import { normaliseAddress, type Medium } from "@/lib/sydent/normalise";

/**
 * Sydent's lookup_hash (sydent/threepid/bind.py, sydent/util/hash.py): unpadded URL-safe
 * base64 of SHA-256 over "<normalised address> <medium> <pepper>".
 */
export function lookupHash(medium: Medium, address: string, pepper: string): string {
  const input = `${normaliseAddress(medium, address)} ${medium} ${pepper}`;
  return crypto.createHash("sha256").update(input, "utf8").digest("base64url");
}
