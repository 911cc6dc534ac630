import { useId } from "react";

// The fresh second-factor code an approval asks for (lib/auth/step-up.ts checks it on the
// server: it works once, like a sign-in code).
export function CodeField({ invalid }: { invalid?: boolean }) {
  const id = useId();
  return (
    <div className="field code-field">
      <label htmlFor={`${id}-code`}>Authenticator code</label>
      <input id={`${id}-code`} name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]*" maxLength={8} size={8}
        aria-describedby={`${id}-code-hint`} aria-invalid={invalid ? true : undefined} />
      <div className="field-hint" id={`${id}-code-hint`}>Approvals need a fresh 6-digit code from your authenticator app.</div>
    </div>
  );
}
