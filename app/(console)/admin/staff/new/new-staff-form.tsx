"use client";

import { useActionState } from "react";
import Link from "next/link";
import { ROLES, ROLE_LABELS } from "@/lib/authz";
import { addStaff } from "@/lib/staff/actions";
import { FieldError } from "@/app/(auth)/_components/field-error";

export function NewStaffForm() {
  const [state, action, pending] = useActionState(addStaff, {});
  if (state.ok && state.data) {
    return (
      <div className="card" role="status">
        <p className="banner-ok">{state.message}</p>
        {state.data.link && (
          <>
            <label htmlFor="enrol-link">Enrolment link (shown once; send it over a trusted channel)</label>
            <input id="enrol-link" className="mono" readOnly value={state.data.link} style={{ width: "100%" }} />
          </>
        )}
        <p><Link className="btn" href="/admin/staff">Back to staff</Link></p>
      </div>
    );
  }
  const err = state.errors ?? {};
  const v = state.values ?? {};
  return (
    <form action={action} className="card" noValidate>
      {state.message && <p className="banner-error" role="alert">{state.message}</p>}
      <div className="field">
        <label htmlFor="email">E-mail</label>
        <input id="email" name="email" type="email" required defaultValue={v.email} aria-describedby="email-error" aria-invalid={!!err.email} />
        <FieldError id="email-error" messages={err.email} />
      </div>
      <div className="field">
        <label htmlFor="displayName">Display name</label>
        <input id="displayName" name="displayName" required defaultValue={v.displayName} aria-describedby="displayName-error" aria-invalid={!!err.displayName} />
        <FieldError id="displayName-error" messages={err.displayName} />
      </div>
      <div className="field">
        <label htmlFor="role">Role</label>
        <select id="role" name="role" defaultValue={v.role ?? "support"} aria-describedby="role-error" aria-invalid={!!err.role}>
          {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
        </select>
        <FieldError id="role-error" messages={err.role} />
      </div>
      <button type="submit" className="btn btn-primary" disabled={pending}>{pending ? "Creating…" : "Create account"}</button>
    </form>
  );
}
