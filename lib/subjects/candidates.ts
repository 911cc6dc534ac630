import { recordAccess, withAccessLog } from "@/lib/audit/log";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { can } from "@/lib/authz";
import { db } from "@/lib/db";
import { collectFindings, readLinkedSubjects, type Finder } from "@/lib/exports/collect";
import { encryptSecret } from "@/lib/keys";
import { maskIdentifier } from "@/lib/subjects/present-mask";
import type { SubjectOperator } from "@/lib/subjects/reveal";
import { searchIdentityServers } from "@/lib/subjects/search";
import { distinguishingTagOfPseudonym } from "@/lib/subjects/tags";

// Candidate identifiers of a request's subject (issue 8). The subject is what the request
// verified (its linked identifiers); what a search finds beyond them (the Matrix ID a linked
// address is bound to, that Matrix ID's other addresses) is offered here, masked, one by one.
// A DPO confirms a candidate (it is then linked to the request, like a link from the Subjects
// page) or declines it; both are access-logged under the candidate's own pseudonym. Nothing is
// ever added without that click. Two identifiers that mask alike carry a short tag so they are
// told apart on screen; they are never merged.

export type Candidate = {
  /** The candidate's pseudonym: what the confirm form sends back (never the identifier). */
  ref: string;
  type: "email" | "msisdn" | "mxid";
  masked: string;
  /** A short distinguishing tag, derived from the pseudonym. */
  tag: string;
  /** Masked identifier it was found through. */
  via: string;
  /** Declined earlier for this request (not offered again; listed apart, can still be confirmed). */
  declined?: { at: string; by: string };
};
export type CandidateList = { ok: true; candidates: Candidate[]; linkedElsewhere: { masked: string; tag: string }[] } | { ok: false; message: string };

export const CANDIDATE_PERMISSION = "subjects.reverseLookup" as const;

/** "#3f9a": four hex characters of the pseudonym, enough to tell two alike masks apart on screen. */
export function distinguishingTag(type: "email" | "msisdn" | "mxid", value: string): string {
  return distinguishingTagOfPseudonym(pseudonymFor(type, value));
}

/** The identity databases only (candidates need no log scan). */
const databasesOnly: Finder = async (q, o) => {
  const r = await searchIdentityServers(q, { expand: o.expand });
  return { query: q, ...r, logs: null, searchedAt: new Date().toISOString() };
};

async function compute(requestId: string, find: Finder) {
  const linked = await readLinkedSubjects(requestId);
  if (linked.length === 0) return null;
  return (await collectFindings(linked, find)).scope ?? { candidates: [], linkedElsewhere: [], withheld: null };
}

function viaMasked(via: string): string {
  const i = via.indexOf(":");
  const kind = via.slice(0, i) as "email" | "msisdn" | "mxid";
  return maskIdentifier(kind, via.slice(i + 1));
}

/** The candidates of an open request's subject, masked; each shown one is logged under its pseudonym. */
export async function listCandidates(op: SubjectOperator, requestId: string, o: { find?: Finder } = {}): Promise<CandidateList> {
  if (!can(op.role, CANDIDATE_PERMISSION)) return { ok: false, message: "Only a data protection officer may look for candidate identifiers (a reverse lookup)." };
  const request = await db().request.findUnique({ where: { id: requestId }, select: { id: true } });
  if (!request) return { ok: false, message: "No such request." };
  const scope = await compute(request.id, o.find ?? databasesOnly);
  if (!scope) return { ok: false, message: "Link the person to this request first (search on the Subjects page, then link)." };
  // A candidate declined for this request is not offered again: the latest decision stands (a
  // confirmed one is linked, so it is no longer a candidate at all).
  const refs = scope.candidates.map((c) => pseudonymFor(c.type, c.value));
  const declines = await db().accessLogEntry.findMany({
    where: { requestId: request.id, action: "request.subject.decline", outcome: "ok", targetPseudonym: { in: refs } },
    orderBy: { seq: "asc" }, select: { targetPseudonym: true, at: true, actorLabel: true },
  });
  const declinedBy = new Map(declines.map((d) => [d.targetPseudonym, { at: d.at.toISOString(), by: d.actorLabel }]));
  const candidates = scope.candidates.map((c, i) => ({
    ref: refs[i], type: c.type, masked: maskIdentifier(c.type, c.value), tag: distinguishingTag(c.type, c.value), via: viaMasked(c.via),
    ...(declinedBy.has(refs[i]) ? { declined: declinedBy.get(refs[i])! } : {}),
  }));
  for (const c of scope.candidates) {
    await recordAccess({ actor: op.actor, action: "request.subject.candidate", target: { type: c.type, value: c.value }, requestId: request.id, outcome: "ok", details: { masked: true } });
  }
  const linkedElsewhere = scope.linkedElsewhere.map((l) => ({ masked: maskIdentifier(l.type, l.value), tag: distinguishingTag(l.type, l.value) }));
  return { ok: true, candidates, linkedElsewhere };
}

/** Confirm (link to the request) or decline one candidate; logged under the candidate's pseudonym. */
export async function decideCandidate(
  op: SubjectOperator, input: { requestId: string; ref: string; decision: "confirm" | "decline"; note?: string }, o: { find?: Finder } = {},
): Promise<{ ok: boolean; message: string }> {
  if (!can(op.role, CANDIDATE_PERMISSION)) return { ok: false, message: "Only a data protection officer may confirm candidate identifiers." };
  const request = await db().request.findFirst({ where: { id: input.requestId, closedAt: null }, select: { id: true, reference: true } });
  if (!request) return { ok: false, message: "That request is closed or not in the register." };
  const scope = await compute(request.id, o.find ?? databasesOnly);
  const c = scope?.candidates.find((x) => pseudonymFor(x.type, x.value) === input.ref);
  if (!c) return { ok: false, message: "That candidate is no longer offered (search again)." };
  const target = { type: c.type, value: c.value } as const;
  const masked = maskIdentifier(c.type, c.value);
  const tag = distinguishingTag(c.type, c.value);
  if (input.decision === "decline") {
    await recordAccess({ actor: op.actor, action: "request.subject.decline", target, requestId: request.id, outcome: "ok", details: { note: input.note?.slice(0, 500) ?? null } });
    return { ok: true, message: `Declined ${masked} ${tag}: it stays outside this request.` };
  }
  await withAccessLog(
    { actor: op.actor, action: "request.subject.confirm", target, requestId: request.id, outcome: "ok", details: { kind: c.type, note: input.note?.slice(0, 500) ?? null } },
    async (tx) => {
      const pseudonym = pseudonymFor(c.type, c.value);
      const existing = await tx.requestSubject.findUnique({ where: { requestId_pseudonym: { requestId: request.id, pseudonym } }, select: { id: true } });
      if (existing) return;
      await tx.requestSubject.create({
        data: { requestId: request.id, type: c.type, valueEnc: encryptSecret(c.value, "subject-identifier-v1"), pseudonym, masked, addedById: op.actor.id ?? op.actor.label },
      });
    },
  );
  return { ok: true, message: `Confirmed ${masked} ${tag} as the subject's and linked it to ${request.reference}.` };
}
