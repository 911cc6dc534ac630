import { recordAccess } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { can, type Role } from "@/lib/authz";
import { db } from "@/lib/db";

// Find requests by the requester's name or contact (e-mail, phone, postal address), for staff who
// may see requesters (requests.viewPersonal). The text is POSTed (server action), never put in a
// URL, and the access-log entry records that a search happened and what it found, not the text.
// Matching is case- and accent-insensitive "contains" done on the server over the register's
// name and contact columns (a register holds hundreds of requests a year, not millions).

export type RequesterMatch = { id: string; reference: string; type: string; state: string; receivedAt: string; requesterName: string; closed: boolean };
export type RequesterSearchResult = { ok: true; matches: RequesterMatch[]; truncated: boolean } | { ok: false; message: string };

export const REQUESTER_SEARCH_LIMIT = 50;

export function fold(s: string): string {
  return s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

export async function searchByRequester(actor: Actor, role: Role, text: string): Promise<RequesterSearchResult> {
  if (!can(role, "requests.viewPersonal")) return { ok: false, message: "Your role cannot search by requester." };
  const needle = fold(text ?? "");
  if (needle.length < 2) return { ok: false, message: "Type at least two characters of the requester's name or contact." };
  if (needle.length > 200) return { ok: false, message: "That is too long for a name or contact." };
  const rows = await db().request.findMany({
    select: { id: true, reference: true, type: true, state: true, receivedAt: true, requesterName: true, requesterContact: true, closedAt: true },
    orderBy: { receivedAt: "desc" },
  });
  const hits = rows.filter((r) => fold(r.requesterName).includes(needle) || fold(r.requesterContact).includes(needle));
  const matches = hits.slice(0, REQUESTER_SEARCH_LIMIT).map((r) => ({
    id: r.id, reference: r.reference, type: r.type, state: r.state, receivedAt: r.receivedAt.toISOString().slice(0, 10),
    requesterName: r.requesterName, closed: r.closedAt !== null,
  }));
  await recordAccess({ actor, action: "request.search.requester", outcome: hits.length ? "ok" : "not_found", details: { matches: hits.length, ids: matches.map((m) => m.id) } });
  return { ok: true, matches, truncated: hits.length > matches.length };
}
