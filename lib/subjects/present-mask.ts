import { parsePhoneNumberFromString } from "libphonenumber-js";

// Masks for a subject's identifiers (the forms the issue asks for). Fixed bullets, so a mask does
// not reveal the length of what it hides.

const B = "••••";

/** "alice.smith@example.org" -> "a•••@example.org" (the form: first letter, domain kept). */
export function maskEmailAddress(address: string): string {
  const at = address.lastIndexOf("@");
  if (at <= 0) return B;
  return `${Array.from(address)[0]}•••@${address.slice(at + 1)}`;
}

/** Sydent MSISDN (E.164 digits, no '+') -> "+44 •••• ••• 123": calling code and last three digits. */
export function maskMsisdn(msisdn: string): string {
  const digits = msisdn.replace(/\D/g, "");
  if (digits.length < 6) return B;
  const cc = parsePhoneNumberFromString(`+${digits}`)?.countryCallingCode ?? digits.slice(0, 2);
  return `+${cc} •••• ••• ${digits.slice(-3)}`;
}

/** "@alice.smith:example.org" -> "@a••••:example.org" (the server name is not personal). */
export function maskMxid(mxid: string): string {
  const m = /^@([^:]*):(.+)$/.exec(mxid.trim());
  if (!m) return B;
  return `@${Array.from(m[1])[0] ?? ""}${B}:${m[2]}`;
}

/** A lookup hash shortened to its first six characters. */
export function shortenHash(hash: string): string {
  return `${hash.slice(0, 6)}…`;
}

export function maskIdentifier(kind: "email" | "msisdn" | "mxid" | "lookup_hash", value: string): string {
  if (kind === "email") return maskEmailAddress(value);
  if (kind === "msisdn") return maskMsisdn(value);
  if (kind === "mxid") return maskMxid(value);
  return shortenHash(value);
}
