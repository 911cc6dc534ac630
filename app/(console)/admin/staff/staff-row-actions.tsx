"use client";

import { useActionState } from "react";
import { ROLES, ROLE_LABELS } from "@/lib/authz";
import { changeRole, reissueStaffEnrolment, setStaffDisabled } from "@/lib/staff/actions";

type Row = { id: string; email: string; role: string; isDisabled: boolean; isSelf: boolean };

function Result({ id, state }: { id: string; state: { ok?: boolean; message?: string; data?: { link?: string } } }) {
  return (
    <div id={id} aria-live="polite">
      {state.message && <p className={state.ok ? "field-hint" : "field-error"}>{state.message}</p>}
      {state.data?.link && <input className="mono" readOnly value={state.data.link} aria-label="Enrolment link" onFocus={(e) => e.currentTarget.select()} />}
    </div>
  );
}

export function StaffRowActions({ staff }: { staff: Row }) {
  const [roleState, roleAction, rolePending] = useActionState(changeRole, {});
  const [statusState, statusAction, statusPending] = useActionState(setStaffDisabled, {});
  const [enrolState, enrolAction, enrolPending] = useActionState(reissueStaffEnrolment, {});
  const p = `staff-${staff.id}`;
  return (
    <div>
      {staff.isSelf ? (
        <p className="field-hint">Your own account: another administrator changes its role.</p>
      ) : (
      <form action={roleAction} className="toolbar">
        <input type="hidden" name="staffId" value={staff.id} />
        <div className="field">
          <label htmlFor={`${p}-role`} className="sr-only">Role of {staff.email}</label>
          <select id={`${p}-role`} name="role" defaultValue={staff.role} aria-describedby={`${p}-role-result`}>
            {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
          </select>
        </div>
        <button type="submit" className="btn" disabled={rolePending}>Change role</button>
      </form>
      )}
      <Result id={`${p}-role-result`} state={roleState} />
      {!staff.isSelf && (
        <div className="toolbar">
          <form action={statusAction}>
            <input type="hidden" name="staffId" value={staff.id} />
            <input type="hidden" name="disable" value={staff.isDisabled ? "false" : "true"} />
            <button type="submit" className={staff.isDisabled ? "btn" : "btn btn-danger"} disabled={statusPending}
              aria-describedby={`${p}-status-result`} aria-label={`${staff.isDisabled ? "Enable" : "Disable"} ${staff.email}`}>
              {staff.isDisabled ? "Enable" : "Disable"}
            </button>
          </form>
          <form action={enrolAction}>
            <input type="hidden" name="staffId" value={staff.id} />
            <button type="submit" className="btn" disabled={enrolPending}
              aria-describedby={`${p}-enrol-result`} aria-label={`Re-issue enrolment for ${staff.email}`}>
              Re-issue enrolment
            </button>
          </form>
        </div>
      )}
      <Result id={`${p}-status-result`} state={statusState} />
      <Result id={`${p}-enrol-result`} state={enrolState} />
    </div>
  );
}
