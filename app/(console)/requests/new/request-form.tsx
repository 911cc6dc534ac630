"use client";

import { useActionState, useId, type ReactNode } from "react";
import { FieldError } from "@/app/(auth)/_components/field-error";
import { createRequest } from "@/lib/requests/actions";
import { CHANNEL_LABELS, CHANNELS, IDENTIFICATION_LABELS, IDENTIFICATION_METHODS, REQUEST_TYPE_LABELS, REQUEST_TYPES } from "@/lib/requests/catalogue";
import type { ActionState } from "@/lib/requests/schemas";

// The intake form. The action validates again (lib/requests/schemas.ts) and owns the messages.

type FieldProps = { name: string; label: string; hint?: string; state: ActionState; children: (a: Record<string, unknown>) => ReactNode };

function Field({ name, label, hint, state, children }: FieldProps) {
  const id = `${name}-${useId()}`;
  const errors = state.errors?.[name];
  const describedBy = [hint ? `${id}-hint` : "", `${id}-error`].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, name, "aria-describedby": describedBy, "aria-invalid": errors ? true : undefined })}
      {hint && <div className="field-hint" id={`${id}-hint`}>{hint}</div>}
      <FieldError id={`${id}-error`} messages={errors} />
    </div>
  );
}

export function RequestForm({ today }: { today: string }) {
  const [state, action, pending] = useActionState(createRequest, {});
  const v = (name: string, fallback = "") => state.values?.[name] ?? fallback;
  return (
    <form action={action} className="card" noValidate>
      {state.message && <div className="banner-error" role="alert">{state.message}</div>}
      <Field name="type" label="Type of request" state={state}>
        {(a) => (
          <select {...a} defaultValue={v("type", "access")} required>
            {REQUEST_TYPES.map((t) => <option key={t} value={t}>{REQUEST_TYPE_LABELS[t]}</option>)}
          </select>
        )}
      </Field>
      <Field name="requesterName" label="Requester's name" state={state}>
        {(a) => <input {...a} type="text" autoComplete="off" required maxLength={200} defaultValue={v("requesterName")} />}
      </Field>
      <Field name="requesterContact" label="Contact (e-mail, phone or postal address)" state={state}>
        {(a) => <input {...a} type="text" autoComplete="off" required maxLength={320} defaultValue={v("requesterContact")} />}
      </Field>
      <Field name="channel" label="Received through" state={state}>
        {(a) => (
          <select {...a} defaultValue={v("channel", "email")} required>
            {CHANNELS.map((c) => <option key={c} value={c}>{CHANNEL_LABELS[c]}</option>)}
          </select>
        )}
      </Field>
      <Field name="identificationMethod" label="How the requester was identified" state={state}
        hint="Choose 'not yet identified' and move the request to Identity check if you still have to verify them.">
        {(a) => (
          <select {...a} defaultValue={v("identificationMethod", "pending")} required>
            {IDENTIFICATION_METHODS.map((m) => <option key={m} value={m}>{IDENTIFICATION_LABELS[m]}</option>)}
          </select>
        )}
      </Field>
      <Field name="identificationNote" label="Identification note (required for 'Other')" state={state}>
        {(a) => <input {...a} type="text" maxLength={500} defaultValue={v("identificationNote")} />}
      </Field>
      <Field name="receivedAt" label="Received on" hint="The date the request reached us (UTC); it cannot be in the future." state={state}>
        {(a) => <input {...a} type="date" defaultValue={v("receivedAt", today)} max={today} required />}
      </Field>
      <Field name="summary" label="Summary" hint="What the requester asks for, in their words where possible." state={state}>
        {(a) => <textarea {...a} rows={5} maxLength={4000} defaultValue={v("summary")} />}
      </Field>
      <button type="submit" className="btn btn-primary" disabled={pending}>{pending ? "Registering…" : "Register request"}</button>
    </form>
  );
}
