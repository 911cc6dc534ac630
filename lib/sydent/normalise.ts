// Sydent's normalisation of third-party identifiers (sydent/util/stringutils.py:normalise_address):
// emails are Python str.casefold()ed; MSISDNs are E.164 digits without '+'. JavaScript has no
// casefold(): toLowerCase() plus the full (multi-character) foldings of Unicode's CaseFolding.txt
// that differ from lower-casing gives the same result for every character Sydent could store.
// SQLite's lower() folds ASCII only, so never rely on it for comparisons (sydent.md section 1).

const FULL_FOLDINGS: Record<string, string> = {
  "ß": "ss", "ẞ": "ss", "ς": "σ", "ŉ": "ʼn", "ǰ": "ǰ", "ΐ": "ΐ", "ΰ": "ΰ", "և": "եւ",
  "ẖ": "ẖ", "ẗ": "ẗ", "ẘ": "ẘ", "ẙ": "ẙ", "ẚ": "aʾ", "ſ": "s", "ͅ": "ι", "ι": "ι",
  "ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st",
  "ﬓ": "մն", "ﬔ": "մե", "ﬕ": "մի", "ﬖ": "վն", "ﬗ": "մխ", "ϐ": "β", "ϑ": "θ", "ϕ": "φ",
  "ϖ": "π", "ϰ": "κ", "ϱ": "ρ", "ϵ": "ε", "ẛ": "ṡ", "ᲀ": "в", "ᲁ": "д", "ᲂ": "о", "ᲃ": "с",
  "ᲄ": "т", "ᲅ": "т", "ᲆ": "ъ", "ᲇ": "ѣ", "ᲈ": "ꙋ",
};
const FOLD_RE = new RegExp(`[${Object.keys(FULL_FOLDINGS).join("")}]`, "gu");

/** Python's str.casefold(). */
export function casefold(s: string): string {
  return s.toLowerCase().replace(FOLD_RE, (c) => FULL_FOLDINGS[c] ?? c);
}

export type Medium = "email" | "msisdn";

/** Sydent's stored form of a 3PID address (already parsed phone numbers only: digits). */
export function normaliseAddress(medium: Medium, address: string): string {
  if (medium === "email") return casefold(address.trim());
  return address.replace(/[^0-9]/g, "");
}

/** Matrix IDs are compared exactly as Sydent stores them (it never case-folds mxids). */
export function normaliseMxid(mxid: string): string {
  return mxid.trim();
}

export function normaliseIdentifier(type: "email" | "msisdn" | "mxid", value: string): string {
  return type === "mxid" ? normaliseMxid(value) : normaliseAddress(type, value);
}
