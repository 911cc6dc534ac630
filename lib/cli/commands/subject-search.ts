import { isRole } from "@/lib/authz";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { codeOption, resolveOperator, resolveVerifiedOperator } from "@/lib/cli/operator";
import { db } from "@/lib/db";
import { findSubject, type FindProgress } from "@/lib/subjects/find";
import { runSubjectReveal, runSubjectSearch, type Finder, type SubjectOperator } from "@/lib/subjects/reveal";
import type { SubjectFindings } from "@/lib/subjects/types";

// subject:search: the pages' subject search from the command line, through the same functions
// (lib/subjects/reveal.ts): the same permission checks (subjects.search; --mxid needs
// subjects.reverseLookup; --reveal needs subjects.reveal with an open linked request, or
// subjects.revealForPurpose with --purpose and --note), the same masking (lib/subjects/present.ts)
// and the same access-log entries ("subject.search", plus "subject.reveal" when revealed).
// --reveal also needs --code, the operator's current authenticator code (lib/cli/operator.ts).
// JSON on stdout; progress on stderr without identifiers. Exit 0 done (found or not), 1 refused,
// 2 bad usage or an identifier that does not parse.

const KINDS = ["email", "phone", "mxid", "hash"] as const;

function progressLine(p: FindProgress): string {
  if (p.phase === "logs") return `searching log files: ${p.filesDone}/${p.filesTotal} files, ${p.linesScanned} lines`;
  return p.phase === "databases" ? "searching identity databases" : "search finished";
}

/** --request takes the request's id or its reference (e.g. REQ-2026-0001). */
async function requestIdOf(value: string | undefined): Promise<string | undefined> {
  if (!value) return undefined;
  const v = value.trim();
  const r =
    (await db().request.findUnique({ where: { id: v }, select: { id: true } })) ??
    (await db().request.findUnique({ where: { reference: v.toUpperCase() }, select: { id: true } }));
  return r?.id ?? v; // unknown: runSubjectReveal refuses it and logs the refusal
}

export default defineCommand({
  name: "subject:search",
  summary: "Find a person across identity servers and logs (masked JSON); --reveal for a linked request or a stated purpose.",
  options: {
    operator: { type: "string", description: "Staff e-mail of who runs the search (needs subjects.search)." },
    email: { type: "string", description: "E-mail address (casefolded as Sydent does)." },
    phone: { type: "string", description: "Phone number as people type it; national form is read in --country." },
    country: { type: "string", description: "With --phone in national form: the country (ISO code, e.g. SE, US); default CUSTODIAN_DEFAULT_COUNTRY." },
    mxid: { type: "string", description: "Matrix ID: a reverse lookup (needs subjects.reverseLookup)." },
    hash: { type: "string", description: "Lookup hash (43 characters, unpadded url-safe base64)." },
    reveal: { type: "boolean", description: "Show the subject's identifiers in clear (needs --request, or --purpose and --note)." },
    request: { type: "string", description: "Open request or complaint (id or reference) the reveal is for." },
    purpose: { type: "string", description: "Purpose key for a reveal without a request (subjects.revealForPurpose), see lib/subjects/purposes.ts." },
    note: { type: "string", description: "Why, in your words (with --purpose; kept in the access log)." },
    code: { ...codeOption.code, description: "With --reveal: the operator's current 6-digit authenticator code (required)." },
  },
  async run({ values }) {
    const given = KINDS.filter((k) => typeof values[k] === "string");
    if (given.length !== 1) throw new UsageError("Give exactly one of --email, --phone, --mxid or --hash.");
    const kind = given[0];
    const reveal = values.reveal === true;
    if (!reveal && (values.request || values.purpose || values.note)) throw new UsageError("--request, --purpose and --note only apply with --reveal.");
    if (reveal && values.request && values.purpose) throw new UsageError("Give --request or --purpose, not both.");

    // A reveal shows identifiers in clear: the named operator proves it is them (--code).
    const operator = values.operator as string | undefined;
    const actor = reveal
      ? await resolveVerifiedOperator(operator, values.code, "subjects.search", "subject:search --reveal")
      : await resolveOperator(operator, "subjects.search");
    if (!isRole(actor.role)) throw new UsageError(`Unknown role ${actor.role}.`);
    const op: SubjectOperator = { actor, role: actor.role };
    if (values.country !== undefined && kind !== "phone") throw new UsageError("--country only applies with --phone.");
    const form: Record<string, string> = { kind, value: values[kind] as string, ...(typeof values.country === "string" ? { country: values.country } : {}) };

    // One search serves both entries when revealing: the search, then the reveal.
    let cached: Promise<SubjectFindings> | null = null;
    const find: Finder = (q, o) => (cached ??= findSubject(q, { ...o, onProgress: (p) => process.stderr.write(`${progressLine(p)}\n`) }));

    const searched = await runSubjectSearch(op, form, { find });
    let result = searched;
    if (searched.ok && reveal) {
      const basis = values.purpose ? "purpose" : "request";
      const requestId = await requestIdOf(values.request as string | undefined);
      result = await runSubjectReveal(op, { ...form, basis, requestId: requestId ?? "", purpose: (values.purpose as string) ?? "", note: (values.note as string) ?? "" }, { find });
    }
    printJson({
      ok: !!result.ok, revealed: !!result.ok && reveal, message: result.message ?? null, errors: result.errors ?? null,
      country: searched.country ?? null, countryHint: searched.countryHint ?? null, result: result.view ?? null,
    });
    if (result.ok) return 0;
    return searched.ok || !(searched.errors?.value || searched.errors?.country) ? 1 : 2;
  },
});
