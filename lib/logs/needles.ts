import { isUtf8 } from "node:buffer";
import { casefold } from "@/lib/sydent/normalise";
import type { LogSource } from "@/lib/logs/parse";

// What to look for in a log line, and how it was written there (sydent.md section 3):
// - email: in clear, in the spelling the person typed (logs keep it; Sydent casefolds only its
//   tables), so compared casefolded on both sides; and percent-encoded in request URIs
//   (address=alice%40example.org, '+' as %2B, upper- or lower-case hex, UTF-8 escapes), found by
//   decoding %XX runs of the line first.
// - msisdn: Sydent's digits, alone or after '+' or '%2B', never inside a longer run of digits.
// - mxid: exact (Sydent never folds Matrix IDs), in clear or percent-encoded (%40, %3A).
// - sid: a validation session id, as "sid=<n>" in request URIs (both logs) and as a whole number
//   in Sydent's own lines ("Setting session <n> as validated"). A sid given with an origin only
//   matches that server's Sydent log (sids are per server), and HAProxy lines in "sid=" form.
// An address must not be part of a longer one: "bob@example.com" does not match
// "jimbob@example.com" nor "bob@example.com.evil".

export type SidNeedle = string | { sid: string; origin: string };
export type Needles = { emails: string[]; msisdns: string[]; mxids: string[]; sids: SidNeedle[] };

export type MatchKind =
  | "email" | "email-urlencoded"
  | "msisdn" | "msisdn-plus" | "msisdn-urlencoded"
  | "mxid" | "mxid-urlencoded"
  | "sid";

const uniq = <T>(xs: T[]) => [...new Set(xs)];

/** Decodes every %XX run that is valid UTF-8 (ASCII escapes alone otherwise); never throws. */
export function percentDecode(s: string): string {
  if (!s.includes("%")) return s;
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = Buffer.from(run.replace(/%/g, ""), "hex");
    if (isUtf8(bytes)) return bytes.toString("utf8");
    return run.replace(/%([0-7][0-9A-Fa-f])/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  });
}

const LOCAL_CHAR = /[\p{L}\p{N}\p{M}._+-]/u;
const DOMAIN_CHAR = /[\p{L}\p{N}\p{M}_-]/u;
const WORD = /[\p{L}\p{N}]/u;

function countEmail(hay: string, needle: string): number {
  let n = 0;
  for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + 1)) {
    const before = i > 0 ? hay[i - 1] : "";
    const after = hay[i + needle.length] ?? "";
    const afterNext = hay[i + needle.length + 1] ?? "";
    if (before && LOCAL_CHAR.test(before)) continue;
    if (after && (DOMAIN_CHAR.test(after) || (after === "." && WORD.test(afterNext)))) continue;
    n++;
  }
  return n;
}

/** The server name goes on after the needle: a name character, or '.'/':' before one (a port). */
function mxidContinues(after: string, afterNext: string): boolean {
  if (/[A-Za-z0-9\-_[\]]/.test(after)) return true;
  return (after === "." || after === ":") && /[A-Za-z0-9]/.test(afterNext);
}

function countMxid(hay: string, needle: string): number {
  let n = 0;
  for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + 1)) {
    if (!mxidContinues(hay[i + needle.length] ?? "", hay[i + needle.length + 1] ?? "")) n++;
  }
  return n;
}

const isAlnum = (c: string | undefined) => !!c && /[0-9A-Za-z]/.test(c);

/** Kinds under which a run of digits appears as a whole number. */
function digitKinds(line: string, digits: string, out: Set<MatchKind>): void {
  for (let i = line.indexOf(digits); i !== -1; i = line.indexOf(digits, i + 1)) {
    if (isAlnum(line[i + digits.length])) continue;
    const before = line[i - 1];
    if (/%2b$/i.test(line.slice(Math.max(0, i - 3), i))) out.add("msisdn-urlencoded");
    else if (before === "+") out.add("msisdn-plus");
    else if (!isAlnum(before)) out.add("msisdn");
  }
}

function hasWholeNumber(line: string, n: string): boolean {
  for (let i = line.indexOf(n); i !== -1; i = line.indexOf(n, i + 1)) {
    if (!isAlnum(line[i - 1]) && !isAlnum(line[i + n.length])) return true;
  }
  return false;
}

function hasSidParam(line: string, sid: string): boolean {
  const needle = `sid=${sid}`;
  for (let i = line.indexOf(needle); i !== -1; i = line.indexOf(needle, i + 1)) {
    if (!isAlnum(line[i - 1]) && !isAlnum(line[i + needle.length])) return true;
  }
  return false;
}

export type Matcher = {
  /** Kinds of needle found in the line (empty when none). */
  match(line: string, ctx: { source: LogSource; origin: string }): MatchKind[];
  readonly empty: boolean;
};

export function compileNeedles(n: Needles): Matcher {
  const emails = uniq(n.emails.map((e) => casefold(e.trim())).filter((e) => e.includes("@")));
  const msisdns = uniq(n.msisdns.map((m) => m.replace(/\D/g, "")).filter((m) => m.length >= 4));
  const mxids = uniq(n.mxids.map((m) => m.trim()).filter((m) => m.startsWith("@") && m.length > 2));
  const sids = n.sids
    .map((s) => (typeof s === "string" ? { sid: s.trim(), origin: null as string | null } : { sid: s.sid.trim(), origin: s.origin }))
    .filter((s) => /^\d+$/.test(s.sid));
  const empty = !emails.length && !msisdns.length && !mxids.length && !sids.length;

  function match(line: string, ctx: { source: LogSource; origin: string }): MatchKind[] {
    const kinds = new Set<MatchKind>();
    const hasPct = line.includes("%");
    const decoded = hasPct ? percentDecode(line) : line;
    if (emails.length && (line.includes("@") || hasPct)) {
      const folded = casefold(line);
      const foldedDecoded = hasPct ? casefold(decoded) : folded;
      for (const e of emails) {
        const clear = countEmail(folded, e);
        if (clear > 0) kinds.add("email");
        if (hasPct && countEmail(foldedDecoded, e) > clear) kinds.add("email-urlencoded");
      }
    }
    for (const m of msisdns) digitKinds(line, m, kinds);
    if (mxids.length && (line.includes("@") || hasPct)) {
      for (const m of mxids) {
        const clear = countMxid(line, m);
        if (clear > 0) kinds.add("mxid");
        if (hasPct && countMxid(decoded, m) > clear) kinds.add("mxid-urlencoded");
      }
    }
    for (const s of sids) {
      if (s.origin !== null && ctx.source === "sydent" && s.origin !== ctx.origin) continue;
      if (ctx.source === "sydent" ? hasWholeNumber(line, s.sid) : hasSidParam(line, s.sid)) kinds.add("sid");
    }
    return [...kinds];
  }
  return { match, empty };
}
