"use client";

import { useActionState } from "react";
import { CodeField } from "@/components/code-field";
import { approvePackageAction, revokePackageAction, type PackageActionState } from "@/lib/exports/actions";

// Approve (shows the one-time link once, in this response only) and revoke.

function Result({ state }: { state: PackageActionState }) {
  if (!state.message) return null;
  return <div className={state.ok ? "banner-ok" : "banner-error"} role={state.ok ? "status" : "alert"}>{state.message}</div>;
}

export function ApproveForm({ packageId, requestId, approved }: { packageId: string; requestId: string; approved: boolean }) {
  const [state, action, pending] = useActionState(approvePackageAction, {});
  return (
    <form action={action} aria-label="Approve the package">
      <input type="hidden" name="packageId" value={packageId} />
      <input type="hidden" name="requestId" value={requestId} />
      <div aria-live="polite">
        <Result state={state} />
        {state.url && (
          <div className="field">
            <label htmlFor="download-link">One-time download link for the requester (valid until {state.expiresAt?.slice(0, 16).replace("T", " ")} UTC)</label>
            <input id="download-link" className="mono" readOnly value={state.url} onFocus={(e) => e.currentTarget.select()} size={80} />
            <div className="field-hint">Send it to the requester through the channel you verified. It works once; it is not shown again.</div>
          </div>
        )}
      </div>
      {!state.url && !approved && <CodeField invalid={state.ok === false} />}
      {!state.url && !approved && <button type="submit" className="btn btn-primary" disabled={pending}>{pending ? "Approving…" : "Approve and create the download link"}</button>}
    </form>
  );
}

export function RevokeForm({ packageId, requestId }: { packageId: string; requestId: string }) {
  const [state, action, pending] = useActionState(revokePackageAction, {});
  return (
    <form action={action} aria-label="Revoke the package">
      <input type="hidden" name="packageId" value={packageId} />
      <input type="hidden" name="requestId" value={requestId} />
      <div aria-live="polite"><Result state={state} /></div>
      <button type="submit" className="btn btn-danger" disabled={pending || state.ok}>{pending ? "Revoking…" : "Revoke (delete the package)"}</button>
    </form>
  );
}
