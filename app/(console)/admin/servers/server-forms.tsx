"use client";

import { useActionState, useId } from "react";
import type { ServerFormState } from "@/lib/servers/actions";
import { disableServerAction, enableServerAction, registerServerAction, sydentModeAction, updateServerAction } from "@/lib/servers/actions";

// Client forms for /admin/servers; the server actions validate and log everything.

function Result({ state }: { state: ServerFormState }) {
  if (!state) return null;
  return (
    <div className={state.ok ? "banner-ok" : "banner-error"} role={state.ok ? "status" : "alert"}>
      {state.message}
      {state.ok && state.warnings.length > 0 && <ul>{state.warnings.map((w) => <li key={w}>{w}</li>)}</ul>}
    </div>
  );
}

function Field(props: { name: string; label: string; state: ServerFormState; hint?: string; defaultValue?: string; multiline?: boolean; required?: boolean }) {
  const id = `${props.name}-${useId()}`;
  const errors = props.state && !props.state.ok ? props.state.fieldErrors?.[props.name] : undefined;
  const describedBy = [props.hint ? `${id}-hint` : "", errors ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  const common = { id, name: props.name, defaultValue: props.defaultValue, "aria-invalid": errors ? true : undefined, "aria-describedby": describedBy };
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? <textarea rows={3} {...common} /> : <input type="text" required={props.required} {...common} />}
      {props.hint && <div className="field-hint" id={`${id}-hint`}>{props.hint}</div>}
      {errors && <div className="field-error" id={`${id}-error`}>{errors.join(" ")}</div>}
    </div>
  );
}

export function RegisterServerForm() {
  const [state, action, pending] = useActionState(registerServerAction, null);
  return (
    <form action={action} className="card" aria-labelledby="register-heading">
      <h2 id="register-heading">Register an identity server</h2>
      <Result state={state} />
      <Field name="label" label="Label" hint="Short name used in the console and on the command line, e.g. is1." state={state} required />
      <Field name="serverName" label="Sydent server.name" hint="As in Sydent's [general] section; it appears as originServer and in peers." state={state} required />
      <Field name="dbPath" label="Path of Sydent's SQLite file" hint="The file is opened read-only and checked before it is registered." state={state} required />
      <Field name="sydentLogPaths" label="Sydent log paths" hint="One per line; globs allowed (rotated and gzipped files)." state={state} multiline />
      <Field name="haproxyLogPaths" label="HAProxy log paths" hint="One per line; globs allowed." state={state} multiline />
      <Field name="clientApiUrl" label="Sydent client API URL (optional)" hint="e.g. http://127.0.0.1:8090: erasures are verified through Sydent's own lookups." state={state} />
      <Field name="internalApiUrl" label="Sydent internal API URL" hint="e.g. http://127.0.0.1:8091 (loopback or private address only): erasures unbind through Sydent itself. Without it, a live server's erasures pause." state={state} />
      <button type="submit" className="btn btn-primary" disabled={pending}>{pending ? "Checking the file..." : "Register"}</button>
    </form>
  );
}

export type EditableServer = {
  id: string; label: string; dbPath: string; sydentLogPaths: string[]; haproxyLogPaths: string[]; disabled: boolean;
  clientApiUrl: string | null; internalApiUrl: string | null; sydentMode: string;
};

export function EditServerForm({ server }: { server: EditableServer }) {
  const [state, action, pending] = useActionState(updateServerAction, null);
  return (
    <form action={action} aria-label={`Paths of ${server.label}`}>
      <input type="hidden" name="id" value={server.id} />
      <Result state={state} />
      <Field name="dbPath" label="SQLite file" defaultValue={server.dbPath} state={state} required />
      <Field name="sydentLogPaths" label="Sydent log paths (one per line)" defaultValue={server.sydentLogPaths.join("\n")} state={state} multiline />
      <Field name="haproxyLogPaths" label="HAProxy log paths (one per line)" defaultValue={server.haproxyLogPaths.join("\n")} state={state} multiline />
      <Field name="clientApiUrl" label="Sydent client API URL" defaultValue={server.clientApiUrl ?? ""} state={state} />
      <Field name="internalApiUrl" label="Sydent internal API URL (loopback or private)" defaultValue={server.internalApiUrl ?? ""} state={state} />
      <button type="submit" className="btn" disabled={pending}>Save paths</button>
    </form>
  );
}

export function ToggleServerForm({ server }: { server: EditableServer }) {
  const [state, action, pending] = useActionState(server.disabled ? enableServerAction : disableServerAction, null);
  return (
    <form action={action}>
      <input type="hidden" name="id" value={server.id} />
      <Result state={state} />
      <button type="submit" className={server.disabled ? "btn" : "btn btn-danger"} disabled={pending}>
        {server.disabled ? `Re-enable ${server.label}` : `Disable ${server.label}`}
      </button>
    </form>
  );
}

/** Declare Sydent stopped (maintenance window, restored backup: proven first) or live again. */
export function SydentModeForm({ server }: { server: EditableServer }) {
  const [state, action, pending] = useActionState(sydentModeAction, null);
  const next = server.sydentMode === "stopped" ? "live" : "stopped";
  return (
    <form action={action} aria-label={`Sydent on ${server.label}`}>
      <input type="hidden" name="id" value={server.id} />
      <input type="hidden" name="mode" value={next} />
      <Result state={state} />
      <Field
        name="note" label={next === "stopped" ? "Why is Sydent stopped?" : "Why is Sydent live again?"} state={state} required
        hint={next === "stopped" ? "Stop Sydent first (the peer keeps serving); the console checks that it no longer answers or holds the file." : "Declare it live before or as Sydent restarts."}
      />
      <button type="submit" className="btn" disabled={pending}>{next === "stopped" ? `Declare Sydent stopped on ${server.label}` : `Declare Sydent live on ${server.label}`}</button>
    </form>
  );
}
