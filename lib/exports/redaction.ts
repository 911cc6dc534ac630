import { maskEmail, maskPhone } from "@/lib/mask";
import type { SubjectFindings } from "@/lib/subjects/types";

/*
 * Redaction policy custodian-redaction/1 (ARCHITECTURE.md, "Access packages: redaction").
 *
 * A subject-access package discloses the subject's own data in clear. GDPR Art. 15(4) says the
 * copy must not adversely affect the rights of others, so data about OTHER people that sits in the
 * subject's records is handled by these fixed rules (the same for every package, shown to the
 * reviewer before release, and explained in the guide):
 *
 * 1. Invites TO the subject: the room id is kept (the subject can see the room once they join);
 *    the inviter's Matrix ID is replaced by "another Matrix user", unless the inviter is the
 *    subject. The inviter chose to invite by address, not to disclose their identity to an
 *    address that may not be theirs to know.
 * 2. Invites the subject SENT: the invitee's address is masked ("b•••@e••••.com", "+44••••••56").
 *    The subject typed it, but the invitee never agreed to its disclosure and may have asked us
 *    to erase it.
 * 3. Other people's signed bindings (sgAssoc) that embed the subject's address or Matrix ID (a
 *    Sydent defect, sydent.md 2.1): the fact and the count per server are stated; no third-party
 *    identifier, row id or content is released.
 * 4. Log lines: every e-mail address, Matrix ID or phone number in a line that is not the
 *    subject's is masked as in rule 2.
 * 5. Secrets are never released: client secrets, validation codes/tokens, invite tokens, v2
 *    access tokens. Their existence is stated; in log lines the value is replaced by "[withheld]".
 */

export const REDACTION_POLICY_VERSION = "custodian-redaction/1";
export const ANOTHER_USER = "another Matrix user";
export const WITHHELD = "[withheld]";

export type SubjectIdentity = { emails: Set<string>; msisdns: Set<string>; mxids: Set<string> };

export function identityOf(f: SubjectFindings): SubjectIdentity {
  const emails = new Set(f.identifiers.emails.map((e) => e.normalize("NFC").toLowerCase()));
  const msisdns = new Set(f.identifiers.msisdns.map((m) => m.replace(/\D/g, "")));
  const mxids = new Set(f.identifiers.mxids);
  for (const s of f.servers) {
    for (const a of s.associations) {
      (a.medium === "email" ? emails : msisdns).add(a.medium === "email" ? a.address.toLowerCase() : a.address);
      if (a.mxid) mxids.add(a.mxid);
    }
  }
  return { emails, msisdns, mxids };
}

export function isSubjectAddress(id: SubjectIdentity, medium: "email" | "msisdn", address: string): boolean {
  return medium === "email" ? id.emails.has(address.normalize("NFC").toLowerCase()) : id.msisdns.has(address.replace(/\D/g, ""));
}

export function maskAddress(medium: "email" | "msisdn", address: string): string {
  return medium === "email" ? maskEmail(address) : maskPhone(address);
}

/** The reviewer's "before": enough to recognise the value, still not in clear. */
export function reviewerMask(value: string): string {
  const at = value.lastIndexOf("@");
  if (value.startsWith("@") && value.includes(":")) return `@${value.slice(1, 3)}•••${value.slice(value.indexOf(":"))}`;
  if (at > 0) return `${value.slice(0, Math.min(3, at))}•••${value.slice(at)}`;
  return value.length > 4 ? `${value.slice(0, 3)}•••${value.slice(-2)}` : "••••";
}

// Secrets Sydent writes into log lines (sydent.md section 3): URL parameters and message texts.
const SECRET_PATTERNS: [RegExp, string][] = [
  [/([?&](?:token|client_secret|access_token)=)[^&\s"]+/gi, `$1${WITHHELD}`],
  [/(Attempting to (?:mail|text) code )\S+/g, `$1${WITHHELD}`],
  [/(\(nextLink: )(?!None\))[^)]*/g, `$1${WITHHELD}`],
];

const EMAIL = /[A-Za-z0-9._%+\-\u00C0-\uFFFF]+(?:@|%40)[A-Za-z0-9.\-\u00C0-\uFFFF]+\.[A-Za-z\u00C0-\uFFFF]{2,}/g;
const MXID = /@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(?::\d+)?/gi;
const PHONE_CONTEXT = /((?:address=|code \S+ to |to )\+?)(\d{7,15})\b/g;

export type LineRedaction = { line: string; secrets: number; thirdParty: { before: string; after: string }[] };

/** Applies rules 4 and 5 to one log line. */
export function redactLogLine(line: string, id: SubjectIdentity): LineRedaction {
  let secrets = 0;
  let out = line;
  for (const [re, repl] of SECRET_PATTERNS) {
    out = out.replace(re, (...m) => {
      secrets++;
      return repl.replace("$1", String(m[1]));
    });
  }
  const thirdParty: { before: string; after: string }[] = [];
  out = out.replace(MXID, (m, offset: number, all: string) => {
    if (offset > 0 && /[A-Za-z0-9._%+\-]/.test(all[offset - 1])) return m; // the "@domain" of an e-mail
    if (id.mxids.has(m)) return m;
    thirdParty.push({ before: reviewerMask(m), after: ANOTHER_USER });
    return `[${ANOTHER_USER}]`;
  });
  out = out.replace(EMAIL, (m) => {
    const plain = m.replace(/%40/i, "@");
    if (isSubjectAddress(id, "email", plain)) return m;
    const after = maskEmail(plain);
    thirdParty.push({ before: reviewerMask(plain), after });
    return after;
  });
  out = out.replace(PHONE_CONTEXT, (m, prefix: string, digits: string) => {
    if (id.msisdns.has(digits)) return m;
    const after = maskPhone(digits);
    thirdParty.push({ before: reviewerMask(digits), after });
    return `${prefix}${after}`;
  });
  return { line: out, secrets, thirdParty };
}
