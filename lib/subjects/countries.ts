import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import { checkFile } from "@/lib/sydent/errors";
import { sydentRaw } from "@/lib/sydent/open";
import { env } from "@/lib/env";
import { countryCode, isInternational } from "@/lib/subjects/parse";

// Phone numbers typed in national form need a country (issue 8): the form and the CLI take one,
// defaulting to CUSTODIAN_DEFAULT_COUNTRY. When a national number finds nothing, the answer
// names the country assumed and the other countries where the same digits are a valid number
// (libphonenumber-js's full metadata) and whose numbers the identity servers hold (the country
// calling codes present among msisdn bindings), so the operator can retry with one click.
// Nothing here repeats the number: a hint lists countries, never digits.

export type CountryOption = { code: string; name: string; callingCode: string };
export type CountryHint = {
  /** The country the national number was read in. */
  assumed: CountryOption;
  /** Other countries worth a retry, most likely first. */
  alternatives: (CountryOption & { valid: boolean })[];
};

const names = new Intl.DisplayNames(["en-GB"], { type: "region" });

export function countryOption(code: string): CountryOption {
  const c = code as CountryCode;
  return { code: c, name: names.of(c) ?? c, callingCode: getCountryCallingCode(c) };
}

/** The configured default (CUSTODIAN_DEFAULT_COUNTRY), e.g. "GB". */
export function configuredCountry(): string {
  return env().CUSTODIAN_DEFAULT_COUNTRY;
}

/** The country a form asked for, or the configured default; null when the form's code is unknown. */
export function formCountry(raw: string | undefined | null): string | null {
  if (raw === undefined || raw === null || raw.trim() === "") return configuredCountry();
  return countryCode(raw);
}

/** Every country with a numbering plan, sorted by name (the form's list). */
export function allCountries(): CountryOption[] {
  return getCountries().map(countryOption).sort((a, b) => a.name.localeCompare(b.name, "en-GB"));
}

/**
 * Countries whose calling code starts one of the held E.164 numbers. `prefixes` are the first
 * three digits of msisdn addresses (calling codes have one to three digits).
 */
export function callingCodesHeld(prefixes: Iterable<string>): Set<string> {
  const held = new Set<string>();
  const list = [...prefixes];
  for (const c of getCountries()) {
    const cc = getCountryCallingCode(c);
    if (list.some((p) => p.startsWith(cc))) held.add(cc);
  }
  return held;
}

/** The first three digits of every msisdn the given Sydent databases hold (bound or tombstoned). */
export function heldPrefixes(dbPaths: string[]): Set<string> {
  const out = new Set<string>();
  for (const file of dbPaths) {
    if (!file || checkFile(file)) continue;
    try {
      const db = sydentRaw(file);
      for (const table of ["global_threepid_associations", "local_threepid_associations"]) {
        const rows = db.prepare(`SELECT DISTINCT substr(address, 1, 3) AS p FROM ${table} WHERE medium = 'msisdn'`).all() as { p: string }[];
        for (const r of rows) out.add(r.p);
      }
    } catch {
      // An unreadable server is reported by the search itself; here it just adds no prefixes.
    }
  }
  return out;
}

/** Does any of the databases hold this exact msisdn (E.164 digits) in either association table? */
export function numberHeld(dbPaths: string[], e164: string): boolean {
  for (const file of dbPaths) {
    if (!file || checkFile(file)) continue;
    try {
      const db = sydentRaw(file);
      for (const table of ["global_threepid_associations", "local_threepid_associations"]) {
        if (db.prepare(`SELECT 1 FROM ${table} WHERE medium = 'msisdn' AND address = ? LIMIT 1`).get(e164)) return true;
      }
    } catch {
      // see heldPrefixes
    }
  }
  return false;
}

/**
 * The hint for a national number that found nothing: null for international input or input that
 * is not a number at all. Alternatives: the number is valid there (or at least possible and that
 * exact number is among `heldNumbers`), and the servers hold numbers with that calling code.
 */
export function countryHint(raw: string, assumed: string, held: Set<string>, isHeld: (e164: string) => boolean = () => false): CountryHint | null {
  if (isInternational(raw) || !/\d/.test(raw)) return null;
  const alternatives: CountryHint["alternatives"] = [];
  for (const c of getCountries()) {
    if (c === assumed) continue;
    const cc = getCountryCallingCode(c);
    if (!held.has(cc)) continue;
    const p = parsePhoneNumberFromString(raw, c);
    if (!p || !p.isPossible()) continue;
    const valid = p.isValid();
    if (!valid && !isHeld(p.number.replace(/^\+/, ""))) continue;
    alternatives.push({ ...countryOption(c), valid });
  }
  alternatives.sort((a, b) => Number(b.valid) - Number(a.valid) || a.name.localeCompare(b.name, "en-GB"));
  return { assumed: countryOption(assumed), alternatives };
}
