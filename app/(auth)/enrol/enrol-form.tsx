"use client";

import { useActionState } from "react";
import Link from "next/link";
import { completeStaffEnrolment } from "@/lib/staff/actions";
import { FieldError } from "@/app/(auth)/_components/field-error";
import { RecoveryCodeList } from "@/app/(auth)/_components/recovery-code-list";

/** `secret` is shown for typing by hand only; it is never posted back (the server stored it). */
type Props = { token: string; secret: string; qrDataUrl: string };

export function EnrolForm({ token, secret, qrDataUrl }: Props) {
  const [state, action, pending] = useActionState(completeStaffEnrolment, {});
  if (state.ok && state.data) {
    return (
      <div className="card">
        <h2>Enrolment complete</h2>
        <RecoveryCodeList codes={state.data.recoveryCodes} />
        <p>
          <Link className="btn btn-primary" href="/login">Continue to sign-in</Link>
        </p>
      </div>
    );
  }
  const err = state.errors ?? {};
  return (
    <form action={action} className="card" noValidate>
      <input type="hidden" name="token" value={token} />
      {state.message && !state.ok && <p className="banner-error" role="alert">{state.message}</p>}
      <h2>1. Choose a password</h2>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="new-password" required minLength={12}
          aria-describedby="password-hint password-error" aria-invalid={!!err.password} />
        <div id="password-hint" className="field-hint">At least 12 characters.</div>
        <FieldError id="password-error" messages={err.password} />
      </div>
      <div className="field">
        <label htmlFor="confirmPassword">Repeat the password</label>
        <input id="confirmPassword" name="confirmPassword" type="password" autoComplete="new-password" required
          aria-describedby="confirmPassword-error" aria-invalid={!!err.confirmPassword} />
        <FieldError id="confirmPassword-error" messages={err.confirmPassword} />
      </div>
      <h2>2. Set up your authenticator app</h2>
      {/* A data URL: next/image has nothing to optimise. */}
      <img src={qrDataUrl} width={220} height={220} alt="QR code to add Custodian to an authenticator app" />
      <p className="field-hint">
        Or enter this key by hand (time-based, 6 digits, 30 seconds): <code className="mono">{secret.replace(/(.{4})/g, "$1 ").trim()}</code>
      </p>
      <div className="field">
        <label htmlFor="code">Authentication code</label>
        <input id="code" name="code" type="text" inputMode="numeric" autoComplete="one-time-code" required
          aria-describedby="code-error" aria-invalid={!!err.code} />
        <FieldError id="code-error" messages={err.code} />
      </div>
      <button type="submit" className="btn btn-primary" disabled={pending}>
        {pending ? "Saving…" : "Complete enrolment"}
      </button>
    </form>
  );
}
