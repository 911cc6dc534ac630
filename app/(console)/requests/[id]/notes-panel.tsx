"use client";

import { startTransition, useActionState, useState, type FormEvent } from "react";
import { FieldError } from "@/app/(auth)/_components/field-error";
import { addRequestNoteAction } from "@/lib/requests/actions";
import type { ActionState } from "@/lib/requests/schemas";

// Notes and correspondence: the list (server-rendered text, withheld for masked roles) and, for
// roles that may update requests, the form. Kind and text are kept after a refusal.

export type NoteItem = { id: string; kind: string; kindLabel: string; at: string; author: string; body: string };

export function NotesPanel({ requestId, notes, canAdd, kinds }: { requestId: string; notes: NoteItem[]; canAdd: boolean; kinds: { value: string; label: string }[] }) {
  const [state, action, pending] = useActionState<ActionState, FormData>(addRequestNoteAction, {});
  const [kind, setKind] = useState("note");
  const [body, setBody] = useState("");
  const [seen, setSeen] = useState<ActionState>(state);
  if (seen !== state) {
    setSeen(state);
    if (state.ok) setBody("");
  }
  // Submitted without React's automatic form reset, so a refused note keeps its kind and text
  // (a reset would move the DOM's select away from the controlled value).
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    startTransition(() => action(form));
  };
  return (
    <>
      {notes.length === 0 ? <p className="muted">No notes or correspondence yet.</p> : (
        <ol className="notes">
          {notes.map((n) => (
            <li key={n.id}>
              <div className="muted"><strong>{n.kindLabel}</strong> — {n.author}, <span className="nowrap">{n.at}</span></div>
              <div style={{ whiteSpace: "pre-wrap" }}>{n.body}</div>
            </li>
          ))}
        </ol>
      )}
      {canAdd && (
        <form onSubmit={onSubmit} noValidate aria-label="Add a note or correspondence">
          <input type="hidden" name="requestId" value={requestId} />
          <div aria-live="polite">{state.message && <div className={state.ok ? "banner-ok" : "banner-error"} role={state.ok ? "status" : "alert"}>{state.message}</div>}</div>
          <div className="field">
            <label htmlFor="note-kind">Kind</label>
            <select id="note-kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
              {kinds.map((k) => <option key={k.value} value={k.value}>{k.label}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor="note-body">Text</label>
            <textarea id="note-body" name="body" rows={3} value={body} onChange={(e) => setBody(e.target.value)}
              aria-describedby="note-body-hint note-body-error" aria-invalid={state.errors?.body ? true : undefined} />
            <div className="field-hint" id="note-body-hint">No e-mail addresses, phone numbers or Matrix IDs: refer to the request instead. Notes are never part of a package.</div>
            <FieldError id="note-body-error" messages={state.errors?.body} />
          </div>
          <button type="submit" className="btn" disabled={pending}>{pending ? "Adding…" : "Add to the request"}</button>
        </form>
      )}
    </>
  );
}
