"use client";

import { useActionState } from "react";
import { FieldError } from "@/app/(auth)/_components/field-error";
import { changeOwnPasswordAction, endOwnSessionAction, type OwnState } from "@/lib/auth/actions";

function Banner({ state }: { state: OwnState }) {
  if (!state.message) return null;
  return <div className={state.ok ? "banner-ok" : "banner-error"} role={state.ok ? "status" : "alert"}>{state.message}</div>;
}

export function ChangePasswordForm() {
  const [state, action, pending] = useActionState(changeOwnPasswordAction, {});
  const e = state.errors ?? {};
  const field = (id: string, label: string, type: string, auto: string, hint?: string) => (
    <div className="field">
      <label htmlFor={`pw-${id}`}>{label}</label>
      <input id={`pw-${id}`} name={id} type={type} autoComplete={auto} inputMode={id === "code" ? "numeric" : undefined}
        aria-describedby={`pw-${id}-hint pw-${id}-error`} aria-invalid={e[id] ? true : undefined} />
      {hint && <div className="field-hint" id={`pw-${id}-hint`}>{hint}</div>}
      <FieldError id={`pw-${id}-error`} messages={e[id]} />
    </div>
  );
  return (
    <form action={action} noValidate aria-label="Change your password">
      <div aria-live="polite"><Banner state={state} /></div>
      {field("current", "Current password", "password", "current-password")}
      {field("password", "New password", "password", "new-password", "At least 12 characters.")}
      {field("confirmPassword", "New password again", "password", "new-password")}
      {field("code", "Authenticator code", "text", "one-time-code", "The current 6-digit code from your authenticator app.")}
      <button type="submit" className="btn btn-primary" disabled={pending}>{pending ? "Changing…" : "Change password"}</button>
    </form>
  );
}

export type SessionRow = { handle: string; current: boolean; createdAt: string; lastSeenAt: string; ip: string | null; userAgent: string | null };

export function SessionsTable({ sessions }: { sessions: SessionRow[] }) {
  const [state, action, pending] = useActionState(endOwnSessionAction, {});
  const others = sessions.filter((s) => !s.current).length;
  return (
    <>
      <div aria-live="polite"><Banner state={state} /></div>
      <div className="table-scroll">
        <table className="data" aria-label="Your active sessions">
          <thead><tr><th>Signed in (UTC)</th><th>Last active (UTC)</th><th>Address</th><th>Browser</th><th><span className="sr-only">Action</span></th></tr></thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.handle}>
                <td className="nowrap">{s.createdAt}{s.current && <> <span className="badge badge-ok">This session</span></>}</td>
                <td className="nowrap">{s.lastSeenAt}</td>
                <td className="mono">{s.ip ?? "—"}</td>
                <td className="wrap-any small">{s.userAgent ?? "—"}</td>
                <td>
                  <form action={action}>
                    <input type="hidden" name="session" value={s.handle} />
                    <button type="submit" className="btn" disabled={pending} aria-label={s.current ? "End this session (sign out)" : `End the session signed in at ${s.createdAt}`}>
                      {s.current ? "End (sign out)" : "End"}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {others > 0 && (
        <form action={action} style={{ marginTop: ".75rem" }}>
          <input type="hidden" name="session" value="others" />
          <button type="submit" className="btn btn-danger" disabled={pending}>End all other sessions ({others})</button>
        </form>
      )}
    </>
  );
}
