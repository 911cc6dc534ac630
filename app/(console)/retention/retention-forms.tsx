"use client";

import { useActionState, useId } from "react";
import { CodeField } from "@/components/code-field";
import {
  approveEnforcementAction, approvePolicyAction, dryRunAction, proposePolicyAction, requestEnforcementAction, runRetentionAuditAction,
  type RetentionFormState,
} from "@/lib/retention/actions";

// The retention controls. The actions check permissions and state again on the server.

type Action = (prev: RetentionFormState, form: FormData) => Promise<RetentionFormState>;

function Result({ state }: { state: RetentionFormState }) {
  return (
    <div aria-live="polite">
      {state?.message && <div className={state.ok ? "banner-ok" : "banner-error"} role={state.ok ? "status" : "alert"}>{state.message}</div>}
    </div>
  );
}

function ActionButton(props: { action: Action; label: string; busy: string; hidden?: Record<string, string>; primary?: boolean; before?: React.ReactNode; children?: (s: RetentionFormState) => React.ReactNode }) {
  const [state, action, pending] = useActionState(props.action, null);
  return (
    <form action={action}>
      {Object.entries(props.hidden ?? {}).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
      {props.before}
      <button type="submit" className={`btn${props.primary ? " btn-primary" : ""}`} disabled={pending}>{pending ? props.busy : props.label}</button>
      <Result state={state} />
      {props.children?.(state)}
    </form>
  );
}

export const RunAuditButton = () => <ActionButton action={runRetentionAuditAction} label="Run an audit now" busy="Reading every log file…" primary />;

export function DryRunButton({ source }: { source: string }) {
  return (
    <ActionButton action={dryRunAction} label="Dry run" busy="Reading the files…" hidden={{ source }}>
      {(s) => s?.plan && (
        <>
          {s.plan.length > 0 && (
            <div className="table-scroll"><table className="data" data-testid="dry-run-plan">
              <caption>What enforcement would do (nothing has changed yet)</caption>
              <thead><tr><th scope="col">File</th><th scope="col">Action</th><th scope="col">Lines removed</th><th scope="col">Lines kept</th><th scope="col">Overdue by (days)</th></tr></thead>
              <tbody>
                {s.plan.map((p) => <tr key={p.name}><td className="mono">{p.name}</td><td>{p.action === "delete" ? "delete the whole file" : "rewrite without the expired lines"}</td><td>{p.linesRemoved}</td><td>{p.linesKept}</td><td>{p.overdueDays}</td></tr>)}
              </tbody>
            </table></div>
          )}
          {s.skipped && s.skipped.length > 0 && (
            <ul aria-label="Files left alone">{s.skipped.map((k) => <li key={k.name}><span className="mono">{k.name}</span>: {k.reason}</li>)}</ul>
          )}
        </>
      )}
    </ActionButton>
  );
}

export const RequestEnforcementButton = ({ source }: { source: string }) => <ActionButton action={requestEnforcementAction} label="Ask for enforcement" busy="Working…" hidden={{ source }} primary />;

// Second-person approvals ask for a fresh authenticator code, as on the command line (--code).
export const ApproveEnforcementButton = ({ enforcementId }: { enforcementId: string }) => (
  <ActionButton action={approveEnforcementAction} label="Approve and enforce" busy="Enforcing…" hidden={{ enforcementId }} primary before={<CodeField />} />
);

export const ApprovePolicyButton = ({ policyId }: { policyId: string }) => <ActionButton action={approvePolicyAction} label="Approve" busy="Approving…" hidden={{ policyId }} before={<CodeField />} />;

export function ProposePolicyForm({ scopes, classes }: { scopes: string[]; classes: string[] }) {
  const [state, action, pending] = useActionState(proposePolicyAction, null);
  const id = useId();
  return (
    <form action={action} noValidate aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Propose a change</h3>
      <Result state={state} />
      <div className="toolbar">
        <div className="field"><label htmlFor={`${id}-s`}>Scope</label><select id={`${id}-s`} name="scope">{scopes.map((s) => <option key={s}>{s}</option>)}</select></div>
        <div className="field"><label htmlFor={`${id}-c`}>Class</label><select id={`${id}-c`} name="retentionClass">{classes.map((s) => <option key={s}>{s}</option>)}</select></div>
        <div className="field"><label htmlFor={`${id}-d`}>Days</label><input id={`${id}-d`} name="periodDays" inputMode="numeric" /></div>
        <div className="field"><label htmlFor={`${id}-r`}>Reason</label><input id={`${id}-r`} name="reason" /></div>
      </div>
      <button type="submit" className="btn" disabled={pending}>{pending ? "Proposing…" : "Propose"}</button>
    </form>
  );
}
