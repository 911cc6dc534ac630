"use client";

import { useActionState } from "react";
import { CodeField } from "@/components/code-field";
import { cancelStaffGrant, confirmStaffGrant } from "@/lib/staff/actions";

// Confirm or cancel a pending dpo/admin grant (lib/staff/grants.ts). The server decides who may
// confirm; `canConfirm` only hides a button that would be refused (requester, account holder).

export function GrantActions({ seq, label, canConfirm }: { seq: number; label: string; canConfirm: boolean }) {
  const [confirmState, confirmAction, confirming] = useActionState(confirmStaffGrant, {});
  const [cancelState, cancelAction, cancelling] = useActionState(cancelStaffGrant, {});
  const id = `grant-${seq}`;
  const state = confirmState.message ? confirmState : cancelState;
  return (
    <div>
      <div className="toolbar">
        {canConfirm && (
          <form action={confirmAction}>
            <input type="hidden" name="seq" value={seq} />
            <CodeField invalid={confirmState.ok === false} />
            <button type="submit" className="btn btn-primary" disabled={confirming} aria-describedby={`${id}-result`} aria-label={`Confirm: ${label}`}>
              Confirm
            </button>
          </form>
        )}
        <form action={cancelAction}>
          <input type="hidden" name="seq" value={seq} />
          <button type="submit" className="btn" disabled={cancelling} aria-describedby={`${id}-result`} aria-label={`Cancel: ${label}`}>
            Cancel request
          </button>
        </form>
      </div>
      <div id={`${id}-result`} aria-live="polite">
        {state.message && <p className={state.ok ? "field-hint" : "field-error"}>{state.message}</p>}
        {confirmState.data?.link && (
          <input className="mono" readOnly value={confirmState.data.link} aria-label="Enrolment link" onFocus={(e) => e.currentTarget.select()} />
        )}
      </div>
    </div>
  );
}
