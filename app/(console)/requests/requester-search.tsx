"use client";

import Link from "next/link";
import { startTransition, useActionState, useState, type FormEvent } from "react";
import { searchRequestsByRequester } from "@/lib/requests/actions";
import { REQUEST_TYPE_LABELS, type RequestType } from "@/lib/requests/catalogue";
import { StateBadge } from "./state-badge";

// Find requests by the requester's name or e-mail. A POST (server action): the text never
// reaches a URL or a proxy's access log.
export function RequesterSearch() {
  const [state, action, pending] = useActionState(searchRequestsByRequester, null);
  const [text, setText] = useState("");
  // No automatic form reset: the text searched for stays in the box.
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    startTransition(() => action(form));
  };
  return (
    <section className="card" aria-labelledby="requester-search-heading">
      <h2 id="requester-search-heading">Find by requester</h2>
      <form onSubmit={onSubmit} className="toolbar" noValidate>
        <div className="field">
          <label htmlFor="requester-text">Requester&apos;s name or contact</label>
          <input id="requester-text" name="requester" value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" spellCheck={false} maxLength={200} aria-describedby="requester-hint" />
          <div className="field-hint" id="requester-hint">Part of a name, e-mail address or phone number; case and accents are ignored.</div>
        </div>
        <button type="submit" className="btn" disabled={pending}>{pending ? "Searching…" : "Find requests"}</button>
      </form>
      <div aria-live="polite">
        {state && !state.ok && <div className="banner-error" role="alert">{state.message}</div>}
        {state?.ok && (state.matches.length === 0 ? <p>No request has a requester matching that.</p> : (
          <div className="table-scroll">
            <table className="data" aria-label="Requests matching the requester">
              <thead><tr><th>Reference</th><th>Requester</th><th>Type</th><th>State</th><th>Received</th></tr></thead>
              <tbody>
                {state.matches.map((m) => (
                  <tr key={m.id}>
                    <td><Link href={`/requests/${m.id}`} className="mono">{m.reference}</Link></td>
                    <td>{m.requesterName}</td>
                    <td>{REQUEST_TYPE_LABELS[m.type as RequestType] ?? m.type}</td>
                    <td><StateBadge state={m.state} /></td>
                    <td className="nowrap">{m.receivedAt}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {state.truncated && <p className="muted">Only the first 50 matches are shown: type more of the name or contact.</p>}
          </div>
        ))}
      </div>
    </section>
  );
}
