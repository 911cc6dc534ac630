"use client";

import { useActionState } from "react";
import { useSearchParams } from "next/navigation";
import { findTargetPseudonym, type FindTargetState } from "@/lib/audit/actions";

// "Who accessed this person?" The identifier is POSTed to a server action, which redirects with
// its pseudonym only; it never enters the URL or the browser history.

export function TargetForm({ currentTarget }: { currentTarget?: string }) {
  const [state, action, pending] = useActionState<FindTargetState, FormData>(findTargetPseudonym, {});
  const searchParams = useSearchParams();
  const current = new URLSearchParams(searchParams.toString());
  current.delete("target");
  current.delete("page");
  return (
    <form action={action} className="card" aria-labelledby="target-form-title">
      <h2 id="target-form-title">Who accessed this person?</h2>
      <p className="muted">
        Enter an identifier: the server turns it into the pseudonym the log uses and filters by it. The identifier is neither
        stored nor shown.
        {currentTarget && <> Now filtering by pseudonym <span className="mono">{currentTarget.slice(0, 12)}…</span>.</>}
      </p>
      <input type="hidden" name="currentQuery" value={current.toString()} />
      <div className="toolbar">
        <div className="field">
          <label htmlFor="targetType">Kind</label>
          <select id="targetType" name="targetType" defaultValue="email" aria-describedby="targetType-error">
            <option value="email">E-mail address</option>
            <option value="msisdn">Phone number</option>
            <option value="mxid">Matrix ID</option>
            <option value="ip">IP address or range (blocks)</option>
            <option value="domain">E-mail domain (blocks)</option>
            <option value="homeserver">Homeserver (blocks)</option>
          </select>
          <span id="targetType-error" className="field-error" aria-live="polite">{state.errors?.targetType?.join(" ")}</span>
        </div>
        <div className="field">
          <label htmlFor="identifier">Identifier</label>
          <input id="identifier" name="identifier" type="text" autoComplete="off" required maxLength={320} aria-describedby="identifier-error" />
          <span id="identifier-error" className="field-error" aria-live="polite">{state.errors?.identifier?.join(" ")}</span>
        </div>
        <button type="submit" className="btn btn-primary" disabled={pending}>{pending ? "Looking up…" : "Show entries"}</button>
      </div>
      {state.message && !state.errors && <p className="banner-error" role="status">{state.message}</p>}
    </form>
  );
}
