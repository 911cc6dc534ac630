import { withAccessLog } from "@/lib/audit/log";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { can } from "@/lib/authz";
import { db } from "@/lib/db";
import { decryptSecret, encryptSecret } from "@/lib/keys";
import { REQUEST_TYPE_LABELS, type RequestType } from "@/lib/requests/catalogue";
import { maskIdentifier } from "@/lib/subjects/present-mask";
import { queryValue } from "@/lib/subjects/present";
import { isInternational, parseSubjectInput } from "@/lib/subjects/parse";
import { formCountry } from "@/lib/subjects/countries";
import { REVERSE_LOOKUP_REFUSED, SEARCH_KINDS, targetOf, type SearchKind, type SubjectOperator, type SubjectState } from "@/lib/subjects/reveal";

// Linking a data subject to a request: the identifier is stored encrypted (AES-256-GCM under its
// own HKDF key, lib/keys.ts), with its access-log pseudonym (so "who looked at this person" and
// "which requests name this person" use the same key) and a masked form for lists. The package
// builder reads the clear identifiers back with readRequestSubjects (server only).

export type LinkedSubjectType = "email" | "msisdn" | "mxid";
const KEY = "subject-identifier-v1" as const;

/** Open requests a reveal or a link may name: reference, type and dates only (no personal data). */
export async function listOpenRequests() {
  const rows = await db().request.findMany({
    where: { closedAt: null },
    orderBy: { receivedAt: "desc" },
    take: 200,
    select: { id: true, reference: true, type: true, state: true, receivedAt: true },
  });
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    type: r.type,
    state: r.state,
    label: `${r.reference} — ${REQUEST_TYPE_LABELS[r.type as RequestType] ?? r.type}, received ${r.receivedAt.toISOString().slice(0, 10)}`,
  }));
}
export type OpenRequestOption = Awaited<ReturnType<typeof listOpenRequests>>[number];

/** subjects.reveal: attach the searched identifier to an open request (idempotent), logged as request.subject.link. */
export async function linkSubject(op: SubjectOperator, form: Record<string, string>): Promise<SubjectState> {
  const kind = (SEARCH_KINDS as readonly string[]).includes(form.kind) ? (form.kind as SearchKind) : null;
  if (!kind) return { ok: false, message: "Search for the person first.", errors: { kind: ["Choose what you are searching by."] } };
  const raw = typeof form.value === "string" ? form.value.slice(0, 400) : "";
  const country = kind === "phone" && !isInternational(raw) ? formCountry(form.country) : null;
  const parsed = parseSubjectInput(kind, raw, { defaultCountry: country ?? undefined });
  if (!parsed.ok) return { ok: false, message: "Check the highlighted fields.", errors: { value: [parsed.message] } };
  const q = parsed.query;
  if (q.kind === "lookup_hash") {
    return { ok: false, message: "A lookup hash cannot be linked: search by the e-mail address, phone number or Matrix ID it stands for." };
  }
  if (q.kind === "mxid" && !can(op.role, "subjects.reverseLookup")) return { ok: false, message: REVERSE_LOOKUP_REFUSED };
  const requestId = typeof form.requestId === "string" ? form.requestId.trim().slice(0, 100) : "";
  if (!requestId) return { ok: false, message: "Choose the request.", errors: { requestId: ["Choose the open request to link this person to."] } };
  const request = await db().request.findFirst({ where: { id: requestId, closedAt: null }, select: { id: true, reference: true } });
  if (!request) return { ok: false, message: "Choose an open request.", errors: { requestId: ["That request is closed or not in the register."] } };

  const value = queryValue(q);
  const pseudonym = pseudonymFor(q.kind, value);
  const result = await withAccessLog(
    (r: { created: boolean }) => ({
      actor: op.actor, action: "request.subject.link", target: targetOf(q), requestId: request.id, outcome: "ok",
      details: { kind: q.kind, alreadyLinked: !r.created },
    }),
    async (tx) => {
      const existing = await tx.requestSubject.findUnique({ where: { requestId_pseudonym: { requestId: request.id, pseudonym } }, select: { id: true } });
      if (existing) return { created: false };
      await tx.requestSubject.create({
        data: {
          requestId: request.id, type: q.kind, valueEnc: encryptSecret(value, KEY), pseudonym,
          masked: maskIdentifier(q.kind, value), addedById: op.actor.id ?? op.actor.label,
        },
      });
      return { created: true };
    },
  );
  return { ok: true, message: result.created ? `Linked to ${request.reference}.` : `Already linked to ${request.reference}.` };
}

/** The request page's "Subjects" list: masked identifiers only. */
export async function listRequestSubjects(requestId: string) {
  const rows = await db().requestSubject.findMany({
    where: { requestId },
    orderBy: { createdAt: "asc" },
    select: { id: true, type: true, masked: true, pseudonym: true, addedById: true, createdAt: true },
  });
  const staff = await db().staff.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.addedById))] } }, select: { id: true, displayName: true } });
  const names = new Map(staff.map((s) => [s.id, s.displayName]));
  return rows.map((r) => ({ ...r, addedByName: names.get(r.addedById) ?? r.addedById }));
}

/** Server-side only (package builder, erasure): the linked identifiers in clear. Callers log their own access. */
export async function readRequestSubjects(requestId: string): Promise<{ id: string; type: LinkedSubjectType; value: string }[]> {
  const rows = await db().requestSubject.findMany({ where: { requestId }, orderBy: { createdAt: "asc" }, select: { id: true, type: true, valueEnc: true } });
  return rows.map((r) => ({ id: r.id, type: r.type as LinkedSubjectType, value: decryptSecret(r.valueEnc, KEY) }));
}
