import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";
import { casefold } from "@/lib/sydent/normalise";
import type { SubjectQuery } from "@/lib/subjects/types";

// Turns what a person typed into a normalised search query, exactly in Sydent's stored forms:
// emails casefolded (lib/sydent/normalise.ts), phone numbers as E.164 digits without '+',
// Matrix IDs as typed (Sydent never folds them), lookup hashes as 43-char unpadded url-safe
// base64. Messages never repeat the input: they end up under a form field and in error reports.

export type InputKind = "email" | "phone" | "mxid" | "hash" | "auto";
export type ParseField = "email" | "phone" | "mxid" | "hash" | "query";
export type ParseResult = { ok: true; query: SubjectQuery } | { ok: false; field: ParseField; message: string };
export type ParseOptions = { defaultCountry?: string };

/** Typed in international form: a leading "+" or the "00" international prefix. */
export function isInternational(raw: string): boolean {
  return /^\s*(\+|00)/.test(raw);
}

/** A country code as typed (any case), or null when no numbering plan has that code. */
export function countryCode(raw: string | undefined | null): CountryCode | null {
  const v = (raw ?? "").trim().toUpperCase();
  return /^[A-Z]{2}$/.test(v) && isSupportedCountry(v) ? (v as CountryCode) : null;
}

export const DEFAULT_COUNTRY = "GB";
const MAX_MXID_BYTES = 255;

const fail = (field: ParseField, message: string): ParseResult => ({ ok: false, field, message });

export function parseEmail(raw: string, field: ParseField = "email"): ParseResult {
  const v = raw.trim();
  if (!v) return fail(field, "Enter an email address.");
  if (/\s/.test(v)) return fail(field, "Not an email address: it contains a space.");
  const at = v.lastIndexOf("@");
  if (at <= 0 || at === v.length - 1 || v.indexOf("@") !== at) {
    return fail(field, "Not an email address: expected one @ with a name before it and a domain after it.");
  }
  const domain = v.slice(at + 1);
  if (domain.startsWith(".") || domain.endsWith(".") || domain.includes("..") || !/^[\p{L}\p{N}.-]+$/u.test(domain)) {
    return fail(field, "Not an email address: the part after @ is not a domain name.");
  }
  if (new TextEncoder().encode(v).length > 254) return fail(field, "Not an email address: longer than 254 bytes.");
  return { ok: true, query: { kind: "email", address: casefold(v) } };
}

export function parsePhone(raw: string, opts: ParseOptions = {}, field: ParseField = "phone"): ParseResult {
  const v = raw.trim();
  if (!v) return fail(field, "Enter a phone number.");
  if (!/^[+\d\s().\-/]+$/.test(v)) return fail(field, "Not a phone number: use digits, spaces, dashes and an optional leading +.");
  const country = countryCode(opts.defaultCountry ?? DEFAULT_COUNTRY) ?? (DEFAULT_COUNTRY as CountryCode);
  // "00" is the international prefix in most of the world (not in the US, which dials 011):
  // read it as "+" whatever country is assumed.
  const typed = v.startsWith("00") ? `+${v.slice(2)}` : v;
  let p = parsePhoneNumberFromString(typed, country);
  // Sydent's own form (country code first, no '+') pasted as-is: retry as international.
  if ((!p || !p.isPossible()) && /^\d+$/.test(v.replace(/[\s().\-/]/g, ""))) {
    const intl = parsePhoneNumberFromString(`+${v.replace(/\D/g, "")}`);
    if (intl?.isPossible()) p = intl;
  }
  if (!p) return fail(field, `Not a phone number: it cannot be read as a number (default country ${country}).`);
  if (!p.isPossible()) return fail(field, "Not a phone number: the number has the wrong length for its country.");
  return { ok: true, query: { kind: "msisdn", address: p.number.replace(/^\+/, "") } };
}

const LOCALPART = /^[\x21-\x39\x3B-\x7E]+$/; // the spec's historical set: printable ASCII except ':'
const DNS_NAME = /^[A-Za-z0-9.-]{1,255}$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^\[[0-9A-Fa-f:.]{2,45}\]$/;

function serverNameProblem(server: string): string | null {
  const m = server.startsWith("[") ? /^(\[[^\]]*\])(?::(\d{1,5}))?$/.exec(server) : /^([^:]*)(?::(\d{1,5}))?$/.exec(server);
  if (!m) return "the port after the server name must be 1 to 5 digits";
  const [, host, port] = m;
  if (port !== undefined && Number(port) > 65535) return "the port is above 65535";
  if (!host) return "the server name is missing";
  if (host.startsWith("[")) return IPV6.test(host) ? null : "the server name is not a valid IPv6 literal";
  if (IPV4.test(host)) return host.split(".").every((o) => Number(o) <= 255) ? null : "the IPv4 address is out of range";
  if (!DNS_NAME.test(host) || host.startsWith(".") || host.endsWith(".") || host.includes("..")) {
    return "the server name may only hold letters, digits, dots and dashes (and an optional :port)";
  }
  return null;
}

export function parseMxid(raw: string, field: ParseField = "mxid"): ParseResult {
  const v = raw.trim();
  if (!v) return fail(field, "Enter a Matrix ID.");
  if (!v.startsWith("@")) return fail(field, "Not a Matrix ID: it must start with @ (like @name:example.org).");
  const colon = v.indexOf(":");
  if (colon < 0) return fail(field, "Not a Matrix ID: the :server part is missing (like @name:example.org).");
  if (new TextEncoder().encode(v).length > MAX_MXID_BYTES) return fail(field, "Not a Matrix ID: longer than 255 bytes.");
  const localpart = v.slice(1, colon);
  if (!localpart) return fail(field, "Not a Matrix ID: the name between @ and : is empty.");
  if (!LOCALPART.test(localpart)) return fail(field, "Not a Matrix ID: the name part may only hold printable ASCII characters (no spaces).");
  const problem = serverNameProblem(v.slice(colon + 1));
  if (problem) return fail(field, `Not a Matrix ID: ${problem}.`);
  return { ok: true, query: { kind: "mxid", mxid: v } };
}

/** SHA-256 is 32 bytes: 43 base64 characters, the last one carrying only 4 bits. */
export function parseHash(raw: string, field: ParseField = "hash"): ParseResult {
  const v = raw.trim();
  if (!v) return fail(field, "Enter a lookup hash.");
  if (!/^[A-Za-z0-9_-]+$/.test(v)) {
    return fail(field, "Not a lookup hash: it must be unpadded url-safe base64 (letters, digits, - and _; no + / or =).");
  }
  if (v.length !== 43) return fail(field, `Not a lookup hash: it must be exactly 43 characters (this is ${v.length}).`);
  if (!/[AEIMQUYcgkosw048]$/.test(v)) return fail(field, "Not a lookup hash: the last character cannot end a SHA-256 value.");
  return { ok: true, query: { kind: "lookup_hash", hash: v } };
}

/** What kind of identifier "auto" input looks like. */
export function guessKind(raw: string): Exclude<InputKind, "auto"> {
  const v = raw.trim();
  if (v.startsWith("@")) return "mxid";
  if (v.includes("@")) return "email";
  if (/^[A-Za-z0-9_-]{43}$/.test(v) && /[A-Za-z_-]/.test(v)) return "hash";
  return "phone";
}

export function parseSubjectInput(kind: InputKind, raw: string, opts: ParseOptions = {}): ParseResult {
  const field: ParseField = kind === "auto" ? "query" : kind;
  const k = kind === "auto" ? guessKind(raw ?? "") : kind;
  const v = typeof raw === "string" ? raw : "";
  switch (k) {
    case "email":
      return parseEmail(v, field);
    case "phone":
      return parsePhone(v, opts, field);
    case "mxid":
      return parseMxid(v, field);
    case "hash":
      return parseHash(v, field);
  }
}
