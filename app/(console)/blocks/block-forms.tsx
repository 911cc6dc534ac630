"use client";

import { useActionState, useId } from "react";
import { approveBlockAction, createBlockAction, liftBlockAction, renewBlockAction, type BlockFormState } from "@/lib/blocks/actions";
import { BLOCK_KINDS, BLOCK_SCOPES, KIND_LABELS, SCOPE_LABELS } from "@/lib/blocks/targets";

// Forms for blocks: create (also "Block this" on the abuse view), approve, lift, renew. The
// server action validates again and owns every message.

function Message({ state }: { state: BlockFormState }) {
  if (!state) return null;
  return <div className={state.ok ? "banner-ok" : "banner-error"} role={state.ok ? "status" : "alert"}>{state.message}</div>;
}

function FieldErr({ id, state, name }: { id: string; state: BlockFormState; name: string }) {
  const m = state?.fieldErrors?.[name];
  return <div id={id} className="field-error" aria-live="polite">{m && <p>{m}</p>}</div>;
}

export function CreateBlockForm({ kind = "ip", target = "", scope = "all", defaultExpiry, compact = false }: { kind?: string; target?: string; scope?: string; defaultExpiry: string; compact?: boolean }) {
  const [state, action, pending] = useActionState(createBlockAction, null);
  const id = useId();
  const f = (n: string) => `${n}-${id}`;
  return (
    <form action={action} className={compact ? "" : "card"} noValidate aria-label="Create a block">
      <Message state={state} />
      <div className="field">
        <label htmlFor={f("kind")}>Kind</label>
        <select id={f("kind")} name="kind" defaultValue={kind}>{BLOCK_KINDS.map((k) => <option key={k} value={k}>{KIND_LABELS[k]}</option>)}</select>
      </div>
      <div className="field">
        <label htmlFor={f("target")}>Target</label>
        <input id={f("target")} name="target" defaultValue={target} autoComplete="off" maxLength={400} aria-describedby={`${f("target")}-hint ${f("target")}-err`} />
        <div className="field-hint" id={`${f("target")}-hint`}>IP or CIDR (203.0.113.0/24, 2001:db8::/48), @name:server, e-mail, +E.164 phone, e-mail domain or homeserver name.</div>
        <FieldErr id={`${f("target")}-err`} state={state} name="target" />
      </div>
      <div className="field">
        <label htmlFor={f("scope")}>Scope</label>
        <select id={f("scope")} name="scope" defaultValue={scope}>{BLOCK_SCOPES.map((s) => <option key={s} value={s}>{SCOPE_LABELS[s]}</option>)}</select>
      </div>
      <div className="field">
        <label htmlFor={f("reason")}>Reason</label>
        <input id={f("reason")} name="reason" maxLength={500} autoComplete="off" aria-describedby={`${f("reason")}-err`} />
        <FieldErr id={`${f("reason")}-err`} state={state} name="reason" />
      </div>
      <div className="field">
        <label htmlFor={f("expiresAt")}>Expires (UTC, at most 180 days)</label>
        <input id={f("expiresAt")} name="expiresAt" type="datetime-local" defaultValue={defaultExpiry} aria-describedby={`${f("expiresAt")}-err`} />
        <FieldErr id={`${f("expiresAt")}-err`} state={state} name="expiresAt" />
      </div>
      <button type="submit" className="btn btn-primary" disabled={pending}>{pending ? "Blocking…" : "Block"}</button>
    </form>
  );
}

export function ApproveBlockForm({ id }: { id: string }) {
  const [state, action, pending] = useActionState(approveBlockAction, null);
  return (
    <form action={action}>
      <input type="hidden" name="id" value={id} />
      <Message state={state} />
      <button type="submit" className="btn" disabled={pending}>Approve</button>
    </form>
  );
}

export function LiftBlockForm({ id, label }: { id: string; label: string }) {
  const [state, action, pending] = useActionState(liftBlockAction, null);
  const uid = useId();
  return (
    <form action={action}>
      <input type="hidden" name="id" value={id} />
      <Message state={state} />
      <label htmlFor={`lift-${uid}`} className="sr-only">Reason for lifting {label}</label>
      <input id={`lift-${uid}`} name="reason" placeholder="Reason for lifting" maxLength={500} autoComplete="off" />
      <button type="submit" className="btn" disabled={pending}>Lift</button>
    </form>
  );
}

export function RenewBlockForm({ id, label, defaultExpiry }: { id: string; label: string; defaultExpiry: string }) {
  const [state, action, pending] = useActionState(renewBlockAction, null);
  const uid = useId();
  return (
    <form action={action}>
      <input type="hidden" name="id" value={id} />
      <Message state={state} />
      <label htmlFor={`renew-r-${uid}`} className="sr-only">New reason for {label}</label>
      <input id={`renew-r-${uid}`} name="reason" placeholder="New reason" maxLength={500} autoComplete="off" />
      <label htmlFor={`renew-e-${uid}`} className="sr-only">New expiry for {label} (UTC)</label>
      <input id={`renew-e-${uid}`} name="expiresAt" type="datetime-local" defaultValue={defaultExpiry} />
      <button type="submit" className="btn" disabled={pending}>Renew</button>
    </form>
  );
}
