import { z } from "zod";
import { recordAccess } from "@/lib/audit/log";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import type { AccessLogInput, Actor, Target } from "@/lib/audit/types";
import { can, type Role } from "@/lib/authz";
import { db } from "@/lib/db";
import { findSubject, type FindProgress } from "@/lib/subjects/find";
import { linkedRequestsFor } from "@/lib/subjects/linked-requests";
import { appendForPersons, entriesForPersons } from "@/lib/subjects/person-log";
import { isInternational, parseSubjectInput } from "@/lib/subjects/parse";
import { callingCodesHeld, countryHint, countryOption, formCountry, heldPrefixes, numberHeld, type CountryHint, type CountryOption } from "@/lib/subjects/countries";
import { listServers } from "@/lib/servers/queries";
import { presentFindings, queryValue, type SubjectView } from "@/lib/subjects/present";
import { purposeText, revealPurposeSchema } from "@/lib/subjects/purposes";
import { activeRestrictions, RESTRICTION_GROUND_LABELS } from "@/lib/rights/restrictions";
import type { SubjectFindings, SubjectQuery } from "@/lib/subjects/types";

// The subject search and the purpose-bound reveal, without Next: the server actions, the
// streaming search route and the command line all call these with the operator as an Actor.
// Order in each: check the input, check the rule, search, write the access-log entry, and only
// then return data. Invalid input is never logged as a reveal; refusals are logged as "denied".
// Messages never repeat the identifier (they are shown under fields and may reach error reports).
// A reveal for a request needs the person linked to that request (RequestSubject): linking needs
// no reveal (staff type the identifier, so they know it), and an open request about someone else
// unlocks nothing. Every identifier of the person a search or reveal shows gets its own entry.

export const SEARCH_KINDS = ["email", "phone", "mxid", "hash"] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export type SubjectOperator = { actor: Actor; role: Role };
export type SubjectState = {
  ok?: boolean;
  message?: string;
  errors?: Record<string, string[]>;
  view?: SubjectView;
  /** Phone searches typed nationally: the country assumed. */
  country?: CountryOption;
  /** A national phone number that found nothing: the country assumed and other countries to try. */
  countryHint?: CountryHint;
};
export type Finder = (q: SubjectQuery, o: { expand: boolean; onProgress?: (p: FindProgress) => void }) => Promise<SubjectFindings>;

const identifierSchema = z.object({
  kind: z.enum(SEARCH_KINDS, { message: "Choose what you are searching by." }),
  value: z.string({ message: "Enter what to search for." }).max(400, "That is too long to be an identifier."),
});

export const REVERSE_LOOKUP_REFUSED = "Searching by Matrix ID is a reverse lookup: only a data protection officer may do it.";
export const NO_REQUEST_REFUSED = "Choose the open request or complaint this reveal is for. Register it first if it is not in the register.";
export const NOT_LINKED_REFUSED = "This person is not linked to that request. Link the identifier you searched for to the request first (\"Link to request\"), then reveal.";

export function targetOf(q: SubjectQuery): Target {
  return { type: q.kind, value: queryValue(q) } as Target;
}

/** The searched identifier first, then every other identifier of the person the findings show. */
export function personTargets(q: SubjectQuery, f: Pick<SubjectFindings, "identifiers">): Target[] {
  const all: Target[] = [
    targetOf(q),
    ...f.identifiers.emails.map((value) => ({ type: "email" as const, value })),
    ...f.identifiers.msisdns.map((value) => ({ type: "msisdn" as const, value })),
    ...f.identifiers.mxids.map((value) => ({ type: "mxid" as const, value })),
  ];
  const seen = new Set<string>();
  return all.filter((t) => {
    const key = "value" in t ? `${t.type}:${t.value}` : "";
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One entry per identifier shown (the searched one is the event; the rest are marked additionalTarget). */
async function recordPersonAccess(base: Omit<AccessLogInput, "target">, q: SubjectQuery, f: SubjectFindings): Promise<void> {
  const inputs = entriesForPersons(base, personTargets(q, f), targetOf(q));
  await db().$transaction((tx) => appendForPersons(tx, inputs));
}

/** The person's active restrictions (Art. 18), flagged on every search result and reveal. */
async function restrictionFlags(targets: Target[]): Promise<NonNullable<SubjectView["restrictions"]>> {
  const pseudonyms = targets.flatMap((t) => ("value" in t ? [pseudonymFor(t.type, t.value)] : []));
  return (await activeRestrictions(pseudonyms)).map((r) => ({
    masked: r.masked, ground: r.ground, groundLabel: RESTRICTION_GROUND_LABELS[r.ground], since: r.since.toISOString().slice(0, 10),
  }));
}

/** Is one of these pseudonyms linked to the request? */
async function isLinked(requestId: string, targets: Target[]): Promise<boolean> {
  const pseudonyms = targets.flatMap((t) => ("value" in t ? [pseudonymFor(t.type, t.value)] : []));
  return (await db().requestSubject.count({ where: { requestId, pseudonym: { in: pseudonyms } } })) > 0;
}

type Parsed = { ok: true; query: SubjectQuery; country: string | null } | { ok: false; state: SubjectState; kind?: string };

function parseIdentifier(form: Record<string, string>): Parsed {
  const input = identifierSchema.safeParse(form);
  if (!input.success) return { ok: false, state: { ok: false, message: "Check the highlighted fields.", errors: z.flattenError(input.error).fieldErrors } };
  // The country matters only for a phone number typed in national form (no "+" or "00").
  const national = input.data.kind === "phone" && !isInternational(input.data.value);
  const country = national ? formCountry(form.country) : null;
  if (national && !country) {
    const message = "Choose a country from the list: that country code has no phone numbering plan.";
    return { ok: false, kind: input.data.kind, state: { ok: false, message: "Check the highlighted fields.", errors: { country: [message] } } };
  }
  const parsed = parseSubjectInput(input.data.kind, input.data.value, { defaultCountry: country ?? undefined });
  if (!parsed.ok) return { ok: false, kind: input.data.kind, state: { ok: false, message: "Check the highlighted fields.", errors: { value: [parsed.message] } } };
  return { ok: true, query: parsed.query, country };
}

export type HintFn = (raw: string, assumed: string) => Promise<CountryHint | null>;

/** Countries to try for a national number, from what the registered servers hold. */
export const serverCountryHint: HintFn = async (raw, assumed) => {
  const paths = (await listServers()).filter((s) => !s.disabledAt).map((s) => s.dbPath);
  return countryHint(raw, assumed, callingCodesHeld(heldPrefixes(paths)), (n) => numberHeld(paths, n));
};

/** subjects.search: masked results. mxid needs subjects.reverseLookup; the DPO's search expands mxid ↔ 3PIDs. */
export async function runSubjectSearch(op: SubjectOperator, form: Record<string, string>, o: { find?: Finder; onProgress?: (p: FindProgress) => void; hint?: HintFn } = {}): Promise<SubjectState> {
  const parsed = parseIdentifier(form);
  if (!parsed.ok) {
    await recordAccess({ actor: op.actor, action: "subject.search", outcome: "invalid", details: { kind: parsed.kind ?? null } });
    return parsed.state;
  }
  const q = parsed.query;
  if (q.kind === "mxid" && !can(op.role, "subjects.reverseLookup")) {
    await recordAccess({ actor: op.actor, action: "subject.search", target: targetOf(q), outcome: "denied", details: { kind: q.kind, permission: "subjects.reverseLookup" } });
    return { ok: false, message: REVERSE_LOOKUP_REFUSED, errors: { kind: [REVERSE_LOOKUP_REFUSED] } };
  }
  const expand = can(op.role, "subjects.reverseLookup");
  const findings = await (o.find ?? findSubject)(q, { expand, onProgress: o.onProgress });
  const view = { ...presentFindings(findings, { reveal: false }), linkedRequests: await linkedRequestsFor(personTargets(q, findings)) };
  view.restrictions = await restrictionFlags(personTargets(q, findings));
  await recordPersonAccess({
    actor: op.actor, action: "subject.search", outcome: findings.foundAnywhere ? "ok" : "not_found",
    details: { kind: q.kind, expanded: findings.expanded, masked: true, ...view.totals, ...(parsed.country ? { country: parsed.country } : {}) },
  }, q, findings);
  const country = parsed.country ? countryOption(parsed.country) : undefined;
  if (findings.foundAnywhere) return { ok: true, view, country };
  const hint = parsed.country ? await (o.hint ?? serverCountryHint)(form.value, parsed.country) : null;
  const message = hint
    ? `Not found anywhere: the number was read as a ${hint.assumed.name} number (+${hint.assumed.callingCode}).` +
      (hint.alternatives.length ? ` It is also a number in ${hint.alternatives.map((a) => a.name).join(", ")}, whose numbers the servers hold: try one of those.` : " No other country whose numbers the servers hold reads it as a valid number.")
    : "Not found anywhere: no identity server or log file holds this identifier.";
  return { ok: true, view, country, message, ...(hint ? { countryHint: hint } : {}) };
}

const revealBasisSchema = z.object({
  basis: z.enum(["request", "purpose"]).catch("request"),
  requestId: z.string().trim().max(100).optional().transform((v) => v || undefined),
});

/** subjects.reveal: the subject's identifiers in clear, for a linked open request (or, for a DPO, a stated purpose). */
export async function runSubjectReveal(op: SubjectOperator, form: Record<string, string>, o: { find?: Finder } = {}): Promise<SubjectState> {
  const parsed = parseIdentifier(form);
  if (!parsed.ok) return parsed.state;
  const q = parsed.query;
  const basis = revealBasisSchema.parse(form);
  const deny = async (message: string, field: string, reason: string, requestId?: string) => {
    await recordAccess({ actor: op.actor, action: "subject.reveal", target: targetOf(q), requestId: requestId ?? null, outcome: "denied", details: { kind: q.kind, reason } });
    return { ok: false, message, errors: { [field]: [message] } } satisfies SubjectState;
  };
  if (q.kind === "mxid" && !can(op.role, "subjects.reverseLookup")) return deny(REVERSE_LOOKUP_REFUSED, "kind", "reverse_lookup");

  let requestId: string | null = null;
  let purpose: string | null = null;
  let findings: SubjectFindings | null = null;
  const expand = can(op.role, "subjects.reverseLookup");
  if (basis.basis === "purpose") {
    if (!can(op.role, "subjects.revealForPurpose")) return deny("Your role may reveal only for an open request or complaint.", "requestId", "purpose_not_allowed");
    const p = revealPurposeSchema.safeParse(form);
    if (!p.success) return { ok: false, message: "Check the highlighted fields.", errors: z.flattenError(p.error).fieldErrors };
    purpose = purposeText(p.data);
  } else {
    if (!basis.requestId) return deny(NO_REQUEST_REFUSED, "requestId", "no_request");
    const r = await db().request.findUnique({ where: { id: basis.requestId }, select: { id: true, closedAt: true } });
    if (!r) return deny("That request is not in the register.", "requestId", "unknown_request");
    if (r.closedAt) return deny("That request is closed: a reveal needs an open request or complaint.", "requestId", "closed_request", r.id);
    // The searched identifier, or another identifier of the same person the search finds
    // (e.g. a lookup hash's address, a phone number's Matrix ID), must be linked to the request.
    if (!(await isLinked(r.id, [targetOf(q)]))) {
      findings = await (o.find ?? findSubject)(q, { expand });
      if (!(await isLinked(r.id, personTargets(q, findings)))) return deny(NOT_LINKED_REFUSED, "requestId", "not_linked", r.id);
    }
    requestId = r.id;
  }
  findings ??= await (o.find ?? findSubject)(q, { expand });
  const view = { ...presentFindings(findings, { reveal: true }), linkedRequests: await linkedRequestsFor(personTargets(q, findings)) };
  view.restrictions = await restrictionFlags(personTargets(q, findings));
  await recordPersonAccess({
    actor: op.actor, action: "subject.reveal", requestId, purpose, outcome: findings.foundAnywhere ? "ok" : "not_found",
    details: { kind: q.kind, basis: basis.basis, expanded: findings.expanded, ...view.totals },
  }, q, findings);
  return { ok: true, view, message: "Revealed. This reveal is recorded in the access log." };
}
