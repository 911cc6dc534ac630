// Verification's text search of signed associations (sgAssoc) looks for the subject's address and
// Matrix IDs anywhere in the row's text, not only in the fields the search parses: it must catch
// data wherever Sydent put it. A bare substring match is too wide, though: the subject
// "ana.khan@mail.example" is inside "hana.khan@mail.example", and "447700900123" inside
// "4477009001234", so verification kept failing for people whose address ends another person's.
// A hit is an occurrence that is not part of a longer identifier: the character before it cannot
// continue an address or number leftwards, and the one after cannot continue it rightwards.
// Everything else (quotes, spaces, <>, commas, brackets, a "+" before a number) bounds a hit.
// Texts and needles are compared as given (callers lower-case both).

const DIGIT = /[0-9]/;
// Characters of an e-mail local part or a Matrix user ID's localpart (RFC 5322 atext, lower-cased).
const LOCAL = /[a-z0-9._%+\-'!#$&*=?^`{|}~/]/;
// Characters that continue a domain or server name: letters, digits, hyphen, underscore, and a dot
// followed by one of them (a trailing "." in prose ends the address).
const DOMAIN = /[a-z0-9\-_]/;

export function tokenHit(text: string, needle: string): boolean {
  if (!needle) return false;
  const numeric = /^\+?[0-9]+$/.test(needle);
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    const before = at > 0 ? text[at - 1] : "";
    const after = text[at + needle.length] ?? "";
    const next = text[at + needle.length + 1] ?? "";
    if (numeric) {
      if (DIGIT.test(before) || DIGIT.test(after)) continue;
      return true;
    }
    if (before && LOCAL.test(before)) continue;
    if (after && (DOMAIN.test(after) || (after === "." && DOMAIN.test(next)))) continue;
    return true;
  }
  return false;
}
