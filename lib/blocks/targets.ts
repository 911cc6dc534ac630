import ipaddr from "ipaddr.js";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { parseEmail, parseMxid } from "@/lib/subjects/parse";
import { casefold } from "@/lib/sydent/normalise";

// What a block can target, parsed into the one normalised form that is stored, pseudonymised and
// written to HAProxy's block lists. Every refusal names the problem; messages never repeat the input.

export const BLOCK_KINDS = ["ip", "mxid", "email", "msisdn", "domain", "homeserver"] as const;
export type BlockKind = (typeof BLOCK_KINDS)[number];
export const BLOCK_SCOPES = ["all", "validation", "lookups", "invites"] as const;
export type BlockScope = (typeof BLOCK_SCOPES)[number];

export const KIND_LABELS: Record<BlockKind, string> = {
  ip: "IP address or range",
  mxid: "Matrix ID",
  email: "E-mail address",
  msisdn: "Phone number",
  domain: "E-mail domain",
  homeserver: "Homeserver",
};
export const SCOPE_LABELS: Record<BlockScope, string> = {
  all: "All requests",
  validation: "Validation only (requestToken, submitToken, bind)",
  lookups: "Lookups only (lookup, bulk lookup, hash details)",
  invites: "Invites only (store-invite, sign-ed25519)",
};

export type ParsedTarget =
  | { ok: true; kind: BlockKind; value: string; /** IP blocks: prefix length and family. */ ip?: { family: "ipv4" | "ipv6"; bits: number } }
  | { ok: false; message: string };

const fail = (message: string): ParsedTarget => ({ ok: false, message });

// Ranges no client request can come from: a block on them is a mistake. (ipaddr.js also calls
// the documentation ranges "reserved"; those are left alone, only class E is refused.)
const NEVER_SOURCES = new Set(["unspecified", "broadcast", "multicast"]);
const CLASS_E: [ipaddr.IPv4, number] = ipaddr.IPv4.parseCIDR("240.0.0.0/4");

export function parseIpTarget(raw: string): ParsedTarget {
  const v = raw.trim();
  if (!v) return fail("Enter an IP address or a CIDR range.");
  const [addrPart, bitsPart, extra] = v.split("/");
  if (extra !== undefined) return fail("Not an IP range: more than one '/'.");
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  if (ipaddr.IPv4.isValidFourPartDecimal(addrPart)) addr = ipaddr.IPv4.parse(addrPart);
  else if (addrPart.includes(":") && ipaddr.IPv6.isValid(addrPart)) addr = ipaddr.IPv6.parse(addrPart);
  else return fail("Not an IP address: expected IPv4 dotted decimal (203.0.113.7) or IPv6 (2001:db8::1), optionally with /prefix.");
  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    return fail("IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are not accepted: write the IPv4 address itself.");
  }
  const max = addr.kind() === "ipv4" ? 32 : 128;
  let bits = max;
  if (bitsPart !== undefined) {
    if (!/^\d{1,3}$/.test(bitsPart)) return fail("Not an IP range: the prefix length after '/' must be a number.");
    bits = Number(bitsPart);
    if (bits > max) return fail(`Not an IP range: an ${addr.kind() === "ipv4" ? "IPv4" : "IPv6"} prefix is at most /${max}.`);
  }
  if (bits === 0) return fail("A /0 range blocks every address on the Internet; it is never accepted.");
  const network = addr.kind() === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(`${addrPart}/${bits}`) : ipaddr.IPv6.networkAddressFromCIDR(`${addrPart}/${bits}`);
  if (network.toString() !== addr.toString()) {
    return fail(`Not a CIDR range: bits are set after the /${bits} prefix (the range starts at ${network.toString()}/${bits}).`);
  }
  const range = addr.range();
  const classE = addr.kind() === "ipv4" && (addr as ipaddr.IPv4).match(CLASS_E);
  if (NEVER_SOURCES.has(range) || classE) {
    return fail(`The range is ${classE ? "reserved (240.0.0.0/4)" : range} address space, which never sends requests; nothing to block.`);
  }
  const value = bits === max ? addr.toString() : `${addr.toString()}/${bits}`;
  return { ok: true, kind: "ip", value, ip: { family: addr.kind(), bits } };
}

export function parseEmailTarget(raw: string): ParsedTarget {
  const v = raw.trim();
  if (v.endsWith(".")) return fail("Not an e-mail address: it ends with a dot.");
  const r = parseEmail(v);
  return r.ok && r.query.kind === "email" ? { ok: true, kind: "email", value: r.query.address } : fail(r.ok ? "Not an e-mail address." : r.message);
}

export function parseMxidTarget(raw: string): ParsedTarget {
  const r = parseMxid(raw);
  return r.ok && r.query.kind === "mxid" ? { ok: true, kind: "mxid", value: r.query.mxid } : fail(r.ok ? "Not a Matrix ID." : r.message);
}

/** E.164 only: a number without its country code is ambiguous, so it is refused. */
export function parseMsisdnTarget(raw: string): ParsedTarget {
  const v = raw.trim().replace(/[\s().\-/]/g, "");
  if (!v) return fail("Enter a phone number in E.164 form (+<country code><number>).");
  if (!v.startsWith("+")) return fail("A phone number needs its country code: write it in E.164 form, starting with + (like +447700900123).");
  if (!/^\+\d{4,15}$/.test(v)) return fail("Not a phone number: after the + only 4 to 15 digits are allowed.");
  const p = parsePhoneNumberFromString(v);
  if (!p || !p.isPossible()) return fail("Not a phone number: the number has the wrong length for its country code.");
  return { ok: true, kind: "msisdn", value: p.number.replace(/^\+/, "") };
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function parseDomainTarget(raw: string): ParsedTarget {
  let v = casefold(raw.trim());
  if (v.startsWith("@")) v = v.slice(1);
  if (!v) return fail("Enter an e-mail domain (like example.org).");
  if (v.endsWith(".")) return fail("Not a domain: it ends with a dot.");
  if (v.includes("@")) return fail("Not a domain: enter only the part after @.");
  const labels = v.split(".");
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) {
    return fail("Not a domain: expected labels of letters, digits and dashes separated by dots (like example.org).");
  }
  return { ok: true, kind: "domain", value: v };
}

export function parseHomeserverTarget(raw: string): ParsedTarget {
  const v = raw.trim().toLowerCase();
  if (!v) return fail("Enter a homeserver name (like matrix.example.org).");
  if (v.endsWith(".")) return fail("Not a homeserver name: it ends with a dot.");
  // A homeserver name is the part of a Matrix ID after the first ':'; reuse that grammar.
  const r = parseMxid(`@x:${v}`);
  return r.ok ? { ok: true, kind: "homeserver", value: v } : fail(r.message.replace("Not a Matrix ID", "Not a homeserver name"));
}

export function parseBlockTarget(kind: string, raw: string): ParsedTarget {
  switch (kind) {
    case "ip": return parseIpTarget(raw);
    case "email": return parseEmailTarget(raw);
    case "mxid": return parseMxidTarget(raw);
    case "msisdn": return parseMsisdnTarget(raw);
    case "domain": return parseDomainTarget(raw);
    case "homeserver": return parseHomeserverTarget(raw);
    default: return fail(`Unknown block kind: expected one of ${BLOCK_KINDS.join(", ")}.`);
  }
}

/** Does IP block `outer` (canonical value) contain `inner` (canonical value)? */
export function ipContains(outer: string, inner: string): boolean {
  return rangeContains(ipRange(outer), ipRange(inner));
}

/** An IP block (canonical value: address or CIDR) as its first and last address, for containment tests. */
export type IpRange = { v6: boolean; first: bigint; last: bigint };

export function ipRange(value: string): IpRange {
  const v6 = value.includes(":");
  const bits = v6 ? 128 : 32;
  const [addr, prefix] = ipaddr.parseCIDR(value.includes("/") ? value : `${value}/${bits}`);
  const n = addr.toByteArray().reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
  const host = (1n << BigInt(bits - prefix)) - 1n;
  return { v6, first: n & ~host, last: n | host };
}

export function rangeContains(outer: IpRange, inner: IpRange): boolean {
  return outer.v6 === inner.v6 && outer.first <= inner.first && inner.last <= outer.last;
}
