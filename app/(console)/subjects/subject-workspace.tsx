"use client";

import { startTransition, useActionState, useEffect, useState, type FormEvent } from "react";
import { FieldError } from "@/app/(auth)/_components/field-error";
import { linkSubjectToRequest, revealSubject } from "@/lib/subjects/actions";
import type { OpenRequestOption } from "@/lib/subjects/link";
import type { SubjectView } from "@/lib/subjects/present";
import type { SearchKind, SubjectState } from "@/lib/subjects/reveal";
import { SubjectResults } from "./subject-results";

// One search's results with the reveal and link controls. The identifier the operator typed is
// sent again in the POST body of each action (hidden inputs), never in a URL. Revealing replaces
// the masked results with the revealed ones returned by the (logged) reveal action.
// Linking comes first: a reveal for a request is refused unless the person is linked to it.

export type WorkspaceProps = {
  searched: { kind: SearchKind; value: string; country?: string };
  masked: SubjectView;
  canReverseLookup: boolean;
  canReveal: boolean;
  canRevealForPurpose: boolean;
  openRequests: OpenRequestOption[];
  purposes: { value: string; label: string }[];
};

function Hidden({ searched }: { searched: WorkspaceProps["searched"] }) {
  return (
    <>
      <input type="hidden" name="kind" value={searched.kind} />
      <input type="hidden" name="value" value={searched.value} />
      {searched.country && <input type="hidden" name="country" value={searched.country} />}
    </>
  );
}

function Result({ state }: { state: SubjectState }) {
  if (!state.message) return null;
  return <div className={state.ok ? "banner-ok" : "banner-error"} role={state.ok ? "status" : "alert"}>{state.message}</div>;
}

function RequestSelect(p: { id: string; state: SubjectState; options: OpenRequestOption[]; value: string; onChange: (v: string) => void; label: string }) {
  const none = p.options.length === 0;
  return (
    <div className="field">
      <label htmlFor={p.id}>{p.label}</label>
      <select id={p.id} name="requestId" value={p.value} onChange={(e) => p.onChange(e.target.value)} disabled={none}
        aria-describedby={`${p.id}-hint ${p.id}-error`} aria-invalid={p.state.errors?.requestId ? true : undefined}>
        <option value="">— Choose an open request —</option>
        {p.options.map((r) => <option key={r.id} value={r.id}>{r.label}</option>)}
      </select>
      <div className="field-hint" id={`${p.id}-hint`}>
        {none ? "There is no open request or complaint in the register: register it first." : "Only open requests and complaints are listed."}
      </div>
      <FieldError id={`${p.id}-error`} messages={p.state.errors?.requestId} />
    </div>
  );
}

type Basis = "request" | "purpose";

/** Submits without React's automatic form reset: a refused reveal keeps what was typed and chosen. */
function submitKeeping(action: (f: FormData) => void) {
  return (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    startTransition(() => action(form));
  };
}

export function SubjectWorkspace(props: WorkspaceProps) {
  const [reveal, revealAction, revealing] = useActionState(revealSubject, {});
  const [link, linkAction, linking] = useActionState(linkSubjectToRequest, {});
  // Every field of both forms is controlled, and the forms are submitted without a reset, so
  // the radio, the purpose, the note and the chosen request survive a refusal and stay consistent
  // with what is shown (issue 11: the radio used to jump back while the purpose fields stayed).
  const [basis, setBasis] = useState<Basis>("request");
  // One chosen request for both forms: after "not linked to that request", linking links that one.
  const [requestId, setRequestId] = useState("");
  const [purpose, setPurpose] = useState("");
  const [note, setNote] = useState("");
  const [linkedNow, setLinkedNow] = useState<string[]>([]);
  const [pendingLink, setPendingLink] = useState("");
  const base = reveal.ok && reveal.view ? reveal.view : props.masked;
  const canLink = props.canReveal && props.masked.query.kind !== "lookup_hash";

  // Requests linked in this sitting join the "Linked requests" line without a new search.
  useEffect(() => {
    if (link.ok && pendingLink) setLinkedNow((l) => (l.includes(pendingLink) ? l : [...l, pendingLink]));
  }, [link, pendingLink]);
  const known = new Set((base.linkedRequests ?? []).map((r) => r.id));
  const added = props.openRequests.filter((r) => linkedNow.includes(r.id) && !known.has(r.id))
    .map((r) => ({ id: r.id, reference: r.reference, type: r.type, state: r.state, closed: false }));
  const view = { ...base, linkedRequests: [...(base.linkedRequests ?? []), ...added] };
  const effectiveBasis: Basis = props.canRevealForPurpose ? basis : "request";

  const actions = (canLink || (props.canReveal && !view.revealed)) ? (
    <div className="action-grid">
      {canLink && (
        <form className="card" onSubmit={(e) => { setPendingLink(requestId); submitKeeping(linkAction)(e); }} aria-labelledby="link-heading" noValidate>
          <h2 id="link-heading">Link to request</h2>
          <p className="muted">Attaches the searched identifier ({props.masked.query.display}) to a request, stored encrypted; the request shows it masked. A reveal for a request needs the person linked to it first.</p>
          <Hidden searched={props.searched} />
          <Result state={link} />
          <RequestSelect id="link-request" label="Request to link to" state={link} options={props.openRequests} value={requestId} onChange={setRequestId} />
          <button type="submit" className="btn" disabled={linking}>{linking ? "Linking…" : "Link to request"}</button>
        </form>
      )}
      {props.canReveal && !view.revealed && (
        <form className="card" onSubmit={submitKeeping(revealAction)} aria-labelledby="reveal-heading" noValidate>
          <h2 id="reveal-heading">Reveal</h2>
          <p className="muted">Shows this person&apos;s identifiers and matching log lines in clear, recorded in the access log with the request or purpose.</p>
          <Hidden searched={props.searched} />
          <Result state={reveal} />
          {props.canRevealForPurpose ? (
            <fieldset className="field">
              <legend>Reveal for</legend>
              <label><input type="radio" name="basis" value="request" checked={basis === "request"} onChange={() => setBasis("request")} /> An open request or complaint</label>
              <label><input type="radio" name="basis" value="purpose" checked={basis === "purpose"} onChange={() => setBasis("purpose")} /> A stated purpose (DPO)</label>
            </fieldset>
          ) : <input type="hidden" name="basis" value="request" />}
          {effectiveBasis === "request" ? (
            <RequestSelect id="reveal-request" label="Request to reveal for" state={reveal} options={props.openRequests} value={requestId} onChange={setRequestId} />
          ) : (
            <>
              <div className="field">
                <label htmlFor="reveal-purpose">Purpose</label>
                <select id="reveal-purpose" name="purpose" value={purpose} onChange={(e) => setPurpose(e.target.value)} aria-describedby="reveal-purpose-error" aria-invalid={reveal.errors?.purpose ? true : undefined}>
                  <option value="">— Choose a purpose —</option>
                  {props.purposes.map((p) => <option key={p.value} value={p.value}>{p.label}</option>)}
                </select>
                <FieldError id="reveal-purpose-error" messages={reveal.errors?.purpose} />
              </div>
              <div className="field">
                <label htmlFor="reveal-note">Note</label>
                <textarea id="reveal-note" name="note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} aria-describedby="reveal-note-hint reveal-note-error" aria-invalid={reveal.errors?.note ? true : undefined} />
                <div className="field-hint" id="reveal-note-hint">Why you need to see this person&apos;s data (at least 10 characters). Kept in the access log.</div>
                <FieldError id="reveal-note-error" messages={reveal.errors?.note} />
              </div>
            </>
          )}
          <FieldError id="reveal-kind-error" messages={reveal.errors?.kind} />
          <button type="submit" className="btn btn-primary" disabled={revealing}>{revealing ? "Revealing…" : "Reveal"}</button>
        </form>
      )}
    </div>
  ) : null;

  return (
    <>
      {view.revealed && reveal.message && <Result state={reveal} />}
      <SubjectResults view={view} actions={actions} />
    </>
  );
}
