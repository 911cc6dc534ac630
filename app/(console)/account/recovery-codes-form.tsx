"use client";

import { useActionState } from "react";
import { regenerateRecoveryCodes } from "@/lib/auth/actions";
import { FieldError } from "@/app/(auth)/_components/field-error";
import { RecoveryCodeList } from "@/app/(auth)/_components/recovery-code-list";

export function RecoveryCodesForm() {
  const [state, action, pending] = useActionState(regenerateRecoveryCodes, {});
  if (state.ok && state.data) return <RecoveryCodeList codes={state.data.recoveryCodes} />;
  const err = state.errors ?? {};
  return (
    <form action={action} noValidate>
      <div className="field">
        <label htmlFor="regen-code">Authentication code</label>
        <input id="regen-code" name="code" type="text" inputMode="numeric" autoComplete="one-time-code" required
          aria-describedby="regen-code-error" aria-invalid={!!err.code} />
        <FieldError id="regen-code-error" messages={err.code} />
      </div>
      <button type="submit" className="btn" disabled={pending}>{pending ? "Generating…" : "Generate new recovery codes"}</button>
    </form>
  );
}
