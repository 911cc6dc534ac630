"use client";

import { useActionState, useId, type ReactNode } from "react";
import { FieldError } from "@/app/(auth)/_components/field-error";

// A small form around a server action: the result banner, labelled fields with their errors
// (aria-describedby), hidden inputs, and the submitted values kept after a refusal.

export type FormResult = {
  ok?: boolean;
  message?: string | null;
  errors?: Record<string, string[] | undefined>;
  values?: Record<string, string>;
  contact?: string;
};
type Action = (prev: FormResult, form: FormData) => Promise<FormResult>;

export function ActionForm(props: {
  action: Action;
  title?: string;
  submit: string;
  hidden?: Record<string, string>;
  className?: string;
  children?: (state: FormResult) => ReactNode;
}) {
  const [state, action, pending] = useActionState(props.action, {});
  const headingId = useId();
  return (
    <form action={action} aria-labelledby={props.title ? headingId : undefined} className={props.className} noValidate>
      {props.title && <h3 id={headingId}>{props.title}</h3>}
      {Object.entries(props.hidden ?? {}).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
      {state.message && <div className={state.ok ? "banner-ok" : "banner-error"} role={state.ok ? "status" : "alert"}>{state.message}</div>}
      {props.children?.(state)}
      <button type="submit" className="btn" disabled={pending}>{pending ? "Saving…" : props.submit}</button>
    </form>
  );
}

export function FormField(props: { name: string; label: string; hint?: string; state: FormResult; children: (a: Record<string, unknown>) => ReactNode }) {
  const id = `${props.name}-${useId()}`;
  const errors = props.state.errors?.[props.name];
  const describedBy = [props.hint ? `${id}-hint` : "", `${id}-error`].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children({ id, name: props.name, "aria-describedby": describedBy, "aria-invalid": errors ? true : undefined, defaultValue: props.state.values?.[props.name] })}
      {props.hint && <div className="field-hint" id={`${id}-hint`}>{props.hint}</div>}
      <FieldError id={`${id}-error`} messages={errors} />
    </div>
  );
}
