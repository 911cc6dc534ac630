"use client";

import { useActionState, useId, type ReactNode } from "react";
import { FieldError } from "@/app/(auth)/_components/field-error";
import { assignRequest, changeState, closeRequest, extendDeadline } from "@/lib/requests/actions";
import type { ActionState } from "@/lib/requests/schemas";
import { REFUSAL_GROUNDS, REFUSAL_LABELS } from "@/lib/requests/clock";
import { STATE_LABELS, type ClosedState, type OpenState } from "@/lib/requests/states";

// Controls on a request's page. The page only offers what the transition table and the
// operator's permissions allow; the actions check both again.

type Action = (prev: ActionState, form: FormData) => Promise<ActionState>;

function Result({ state }: { state: ActionState }) {
  if (!state.message) return null;
  return <div className={state.ok ? "banner-ok" : "banner-error"} role={state.ok ? "status" : "alert"}>{state.message}</div>;
}

function ControlForm(props: { title: string; action: Action; id: string; submit: string; children: (s: ActionState) => ReactNode }) {
  const [state, action, pending] = useActionState(props.action, {});
  const headingId = useId();
  return (
    <form action={action} aria-labelledby={headingId} noValidate>
      <h3 id={headingId}>{props.title}</h3>
      <input type="hidden" name="id" value={props.id} />
      <Result state={state} />
      {props.children(state)}
      <button type="submit" className="btn" disabled={pending}>{pending ? "Saving…" : props.submit}</button>
    </form>
  );
}

function Field(props: { name: string; label: string; hint?: string; state: ActionState; children: (a: Record<string, unknown>) => ReactNode }) {
  const id = `${props.name}-${useId()}`;
  const errors = props.state.errors?.[props.name];
  const describedBy = [props.hint ? `${id}-hint` : "", `${id}-error`].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children({ id, name: props.name, "aria-describedby": describedBy, "aria-invalid": errors ? true : undefined })}
      {props.hint && <div className="field-hint" id={`${id}-hint`}>{props.hint}</div>}
      <FieldError id={`${id}-error`} messages={errors} />
    </div>
  );
}

export function StateForm({ id, options }: { id: string; options: OpenState[] }) {
  if (options.length === 0) return null;
  return (
    <ControlForm title="Change state" action={changeState} id={id} submit="Change state">
      {(s) => (
        <Field name="to" label="New state" state={s}>
          {(a) => <select {...a} required>{options.map((o) => <option key={o} value={o}>{STATE_LABELS[o]}</option>)}</select>}
        </Field>
      )}
    </ControlForm>
  );
}

export function AssignForm(props: { id: string; current: string | null; staff: { id: string; displayName: string; role: string }[] }) {
  return (
    <ControlForm title="Assign" action={assignRequest} id={props.id} submit="Save assignee">
      {(s) => (
        <Field name="assigneeId" label="Assignee" state={s}>
          {(a) => (
            <select {...a} defaultValue={props.current ?? ""}>
              <option value="">Unassigned</option>
              {props.staff.map((m) => <option key={m.id} value={m.id}>{m.displayName} ({m.role})</option>)}
            </select>
          )}
        </Field>
      )}
    </ControlForm>
  );
}

export function ExtendForm({ id, originalDue }: { id: string; originalDue: string }) {
  return (
    <ControlForm title="Extend the deadline" action={extendDeadline} id={id} submit="Extend by two months">
      {(s) => (
        <Field name="reason" label="Reason for the extension" state={s}
          hint={`At least 20 characters. Possible once, until ${originalDue}. The reason is written to the access log and told to the requester: describe the request's complexity, not the person.`}>
          {(a) => <textarea {...a} rows={3} minLength={20} maxLength={2000} required />}
        </Field>
      )}
    </ControlForm>
  );
}

export function CloseForm({ id, options }: { id: string; options: ClosedState[] }) {
  if (options.length === 0) return null;
  return (
    <ControlForm title="Close" action={closeRequest} id={id} submit="Close request">
      {(s) => (
        <>
          <Field name="state" label="Closed as" state={s}>
            {(a) => (
              <select {...a} required defaultValue="">
                <option value="" disabled>Choose…</option>
                {options.map((o) => <option key={o} value={o}>{STATE_LABELS[o]}</option>)}
              </select>
            )}
          </Field>
          {options.includes("rejected") && (
            <Field name="refusalGround" label="Ground for refusal (only when closing as rejected)" state={s}>
              {(a) => (
                <select {...a} defaultValue="">
                  <option value="">Not a refusal</option>
                  {REFUSAL_GROUNDS.map((g) => <option key={g} value={g}>{REFUSAL_LABELS[g]}</option>)}
                </select>
              )}
            </Field>
          )}
          <Field name="outcome" label="Outcome" hint="What was done and how the requester was answered." state={s}>
            {(a) => <textarea {...a} rows={4} minLength={10} maxLength={4000} required />}
          </Field>
        </>
      )}
    </ControlForm>
  );
}
