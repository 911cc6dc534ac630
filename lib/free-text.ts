import { parsePhoneNumberFromString } from "libphonenumber-js";

// Free-text notes that end up where many people read them (the access log's purpose, a request's
// deadline-extension reason) must not carry a person's identifiers: the log is immutable and
// auditors read it, so an address typed into a note could never be taken back. These checks
// refuse notes that look like they hold an e-mail address, a phone number or a Matrix ID.
// They are deliberately simple (false positives cost a rewording; false negatives a leak).

export type IdentifierKind = "email" | "phone" | "mxid";

const EMAIL = /[^\s@<>()[\]"',;:]+@[^\s@<>()[\]"',;:]+\.[^\s@<>()[\]"',;:.]{2,}/u;
// A Matrix user ID: @localpart:server (the server may carry a port).
const MXID = /(^|[^\p{L}\p{N}._=\-/+@])@[a-z0-9._=\-/+]+:(?:localhost|(?:[a-z0-9-]+\.)+[a-z0-9-]+|\[[0-9a-f:.]+\])(?::\d+)?/iu;
// Runs of digits with the separators people type inside phone numbers.
const DIGIT_RUN = /\+?\d[\d\s().\-/]{5,}\d/g;

function looksLikePhone(run: string): boolean {
  const digits = run.replace(/\D/g, "");
  if (digits.length < 9 || digits.length > 15) return false;
  // The same reading as lib/subjects/parse.ts: national form (UK default), or international.
  const national = parsePhoneNumberFromString(run.trim(), "GB");
  if (national?.isPossible()) return true;
  return !!parsePhoneNumberFromString(`+${digits}`)?.isPossible();
}

/** The first kind of identifier the text seems to contain, or null. */
export function identifierInText(text: string): IdentifierKind | null {
  if (MXID.test(text)) return "mxid";
  if (EMAIL.test(text)) return "email";
  for (const m of text.matchAll(DIGIT_RUN)) if (looksLikePhone(m[0])) return "phone";
  return null;
}

const NAMES: Record<IdentifierKind, string> = { email: "an e-mail address", phone: "a phone number", mxid: "a Matrix ID" };

/** The message shown under the field (it never repeats what was found). */
export function identifierInTextMessage(kind: IdentifierKind, where: string): string {
  return `This looks like it contains ${NAMES[kind]}. Do not write identifiers into the ${where}: it is kept where others read it. Describe the reason without them (for example, refer to the request's reference).`;
}

/** For zod: `.superRefine(noIdentifiers("note"))`. */
export function noIdentifiers(where: string) {
  return (value: string, ctx: { addIssue: (i: { code: "custom"; message: string }) => void }) => {
    const kind = identifierInText(value);
    if (kind) ctx.addIssue({ code: "custom", message: identifierInTextMessage(kind, where) });
  };
}
