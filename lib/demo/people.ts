import { casefold } from "@/lib/sydent/normalise";
import { asciiFold, DOMAINS, FIRST_NAMES, LAST_NAMES, PHONE_PREFIXES } from "@/lib/demo/names";

// Deterministic people: person index -> name, email, Matrix ID, phone. Every index maps to a
// distinct (first, last, domain, number suffix) tuple through a bijective affine permutation of
// [0, M), so addresses and Matrix IDs are unique at any scale without remembering used ones.

export type Person = {
  index: number;
  displayName: string;
  /** Email as its owner would type it (capitalised names). */
  typedEmail: string;
  /** Sydent's stored form: casefold(typedEmail). */
  email: string;
  mxid: string;
  homeserver: string;
  /** E.164 digits without '+'. */
  msisdn: string;
  country: number;
};

const F = FIRST_NAMES.length;
const L = LAST_NAMES.length;
const D = DOMAINS.length;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export type PeopleSpace = { size: number; multiplier: number; offset: number; suffixes: number };

/** A permutation space big enough for `capacity` people. */
export function peopleSpace(capacity: number): PeopleSpace {
  const suffixes = Math.max(1, Math.ceil((capacity * 1.3) / (F * L * D)));
  const size = F * L * D * suffixes;
  let multiplier = 2_654_435_761 % size;
  while (gcd(multiplier, size) !== 1 || multiplier < 2) multiplier = (multiplier + 1) % size;
  return { size, multiplier, offset: Math.floor(size / 3), suffixes };
}

function mulMod(a: number, b: number, m: number): number {
  return Number((BigInt(a) * BigInt(b)) % BigInt(m));
}

const PHONE_SPACE = 100_000_000;

export function personAt(space: PeopleSpace, index: number): Person {
  if (index >= space.size) throw new Error(`person index ${index} outside the space (${space.size})`);
  let q = (mulMod(index, space.multiplier, space.size) + space.offset) % space.size;
  const fi = q % F; q = Math.floor(q / F);
  const li = q % L; q = Math.floor(q / L);
  const di = q % D; q = Math.floor(q / D);
  const suffix = q === 0 ? "" : String(q);
  const first = FIRST_NAMES[fi];
  const last = LAST_NAMES[li];
  const { domain, homeserver } = DOMAINS[di];
  const lastLocal = last.replace(/'/g, "");
  const typedEmail = `${first}.${lastLocal}${suffix}@${domain[0].toUpperCase()}${domain.slice(1)}`;
  const email = casefold(typedEmail);
  const mxid = `@${asciiFold(first)}.${asciiFold(lastLocal)}${suffix}:${homeserver}`;
  const body = (mulMod(index, 48_271, PHONE_SPACE) + 12_345) % PHONE_SPACE;
  const phone = PHONE_PREFIXES[index % PHONE_PREFIXES.length];
  return {
    index,
    displayName: `${first} ${last}`,
    typedEmail,
    email,
    mxid,
    homeserver,
    msisdn: `${phone.prefix}${String(body).padStart(8, "0")}`,
    country: phone.country,
  };
}

/** Spelling variants people type into clients: as-is, lower-case, or shouting. */
export function typedVariant(typed: string, r: number): string {
  if (r < 0.45) return casefold(typed);
  if (r < 0.92) return typed;
  const at = typed.indexOf("@");
  return typed.slice(0, at).toUpperCase() + typed.slice(at);
}
