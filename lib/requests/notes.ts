import { z } from "zod";
import { withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { noIdentifiers } from "@/lib/free-text";
import { canSeePersonal, WITHHELD, type Viewer } from "@/lib/requests/queries";

// Internal notes and correspondence on a request (RequestNote). The text refuses identifiers like
// every free-text field others read (lib/free-text.ts): refer to the request, not the address.
// Notes stay inside the console: the package builder (lib/exports) never reads this table.
// Adding one is logged (request.note.add, with its kind and length, never its text); reading is
// covered by the request's own request.view entry. Roles that see requests masked get the text
// withheld, like the request's summary.

export const NOTE_KINDS = ["note", "received", "sent"] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];
export const NOTE_KIND_LABELS: Record<NoteKind, string> = {
  note: "Internal note",
  received: "Correspondence received from the requester",
  sent: "Correspondence sent to the requester",
};

export const noteSchema = z.object({
  requestId: z.string().trim().min(1).max(100),
  kind: z.enum(NOTE_KINDS, { message: "Choose what kind of entry this is." }),
  body: z.string().trim()
    .min(3, "Write the note (at least 3 characters).")
    .max(4000, "Keep a note under 4,000 characters; attach longer letters elsewhere and summarise them here.")
    .superRefine(noIdentifiers("note")),
});

export type NoteResult = { ok: true; id: string } | { ok: false; message: string; errors?: Record<string, string[] | undefined> };

export async function addRequestNote(actor: Actor, input: Record<string, unknown>): Promise<NoteResult> {
  const parsed = noteSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: "Check the highlighted fields.", errors: z.flattenError(parsed.error).fieldErrors };
  const { requestId, kind, body } = parsed.data;
  const request = await db().request.findUnique({ where: { id: requestId }, select: { id: true, closedAt: true } });
  if (!request) return { ok: false, message: "This request does not exist." };
  if (!actor.id) return { ok: false, message: "Only a staff member can add notes." };
  const authorId = actor.id;
  const note = await withAccessLog(
    (n: { id: string }) => ({
      actor, action: "request.note.add", target: { type: "request" as const, ref: request.id }, requestId: request.id, outcome: "ok" as const,
      details: { noteId: n.id, kind, length: body.length, closed: request.closedAt !== null },
    }),
    (tx) => tx.requestNote.create({ data: { requestId: request.id, kind, body, authorId }, select: { id: true } }),
  );
  return { ok: true, id: note.id };
}

export async function listRequestNotes(requestId: string, viewer: Viewer) {
  const rows = await db().requestNote.findMany({ where: { requestId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  const authors = await db().staff.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.authorId))] } }, select: { id: true, displayName: true } });
  const names = new Map(authors.map((a) => [a.id, a.displayName]));
  const clear = canSeePersonal(viewer);
  return rows.map((r) => ({
    id: r.id, kind: r.kind as NoteKind, createdAt: r.createdAt, author: names.get(r.authorId) ?? "(unknown)",
    body: clear ? r.body : WITHHELD,
  }));
}
export type RequestNoteView = Awaited<ReturnType<typeof listRequestNotes>>[number];
