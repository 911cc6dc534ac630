"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useActionState, useEffect, useId, useState } from "react";
import { CodeField } from "@/components/code-field";
import { approveErasureAction, chooseBystanderAction, erasureProgressAction, executeErasureAction, replanErasureAction, startErasureAction, type ErasureFormState } from "@/lib/erasure/actions";

// The erasure controls: prepare (on the request page), approve with the typed confirmation, run
// or resume, and a quiet refresh while a job runs. The actions check permissions and state again.

function Result({ state }: { state: ErasureFormState }) {
  return (
    <div aria-live="polite">
      {state?.message && <div className={state.ok ? "banner-ok" : "banner-error"} role={state.ok ? "status" : "alert"}>{state.message}</div>}
    </div>
  );
}

export function StartErasureForm(props: {
  requestId: string; reasons: { value: string; label: string }[]; canOpenJobs: boolean;
  /** An erasure of this request already exists: say so instead of offering a second one. */
  blocked?: { jobId: string; stateLabel: string };
}) {
  const [state, action, pending] = useActionState(startErasureAction, null);
  const [reason, setReason] = useState("");
  const id = useId();
  const jobId = state?.ok && state.jobId ? state.jobId : props.blocked?.jobId;
  return (
    <form action={action} noValidate>
      <input type="hidden" name="requestId" value={props.requestId} />
      <Result state={state} />
      {props.blocked && !state?.ok && <p>An erasure of this request is already {props.blocked.stateLabel.toLowerCase()}; another cannot be prepared.</p>}
      {jobId && props.canOpenJobs && <p><Link href={`/erasures/${jobId}`}>Open the erasure</Link></p>}
      {!props.blocked && (
        <>
          <div className="field">
            <label htmlFor={`${id}-reason`}>Reason for the erasure</label>
            <select id={`${id}-reason`} name="reason" value={reason} onChange={(e) => setReason(e.target.value)} aria-describedby={`${id}-hint`}>
              <option value="">— Choose the reason —</option>
              {props.reasons.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
            </select>
            <div className="field-hint" id={`${id}-hint`}>
              Custodian searches every identity server and log for the linked person and records the plan. Nothing is erased until a second person approves.
            </div>
          </div>
          <button type="submit" className="btn btn-primary" disabled={pending}>{pending ? "Searching every server…" : "Prepare erasure"}</button>
        </>
      )}
    </form>
  );
}

export function ApproveForm(props: { jobId: string; masked: string; reasonLabel: string }) {
  const [state, action, pending] = useActionState(approveErasureAction, null);
  const id = useId();
  return (
    <form action={action} noValidate aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Approve</h3>
      <input type="hidden" name="jobId" value={props.jobId} />
      <Result state={state} />
      <p>Reason: <strong>{props.reasonLabel}</strong></p>
      <p>
        To confirm, type the person&apos;s masked identifier exactly as shown: <span className="mono" data-testid="confirm-text">{props.masked}</span>{" "}
        <span className="muted">(you may copy it; &quot;*&quot; is accepted for &quot;•&quot;)</span>
      </p>
      <div className="field">
        <label htmlFor={`${id}-c`}>Masked identifier</label>
        <input id={`${id}-c`} name="confirmation" autoComplete="off" spellCheck={false} aria-invalid={state && !state.ok ? true : undefined} />
      </div>
      <CodeField invalid={state ? !state.ok : undefined} />
      <button type="submit" className="btn btn-primary" disabled={pending}>{pending ? "Approving…" : "Approve erasure"}</button>
    </form>
  );
}

/** A one-button form on a job (run, resume, re-plan); refreshes the page when it worked. */
function JobActionForm(props: { jobId: string; action: typeof executeErasureAction; label: string; pendingLabel: string; danger?: boolean }) {
  const [state, action, pending] = useActionState(props.action, null);
  const router = useRouter();
  useEffect(() => {
    if (state?.ok) router.refresh();
  }, [state, router]);
  return (
    <form action={action}>
      <input type="hidden" name="jobId" value={props.jobId} />
      <Result state={state} />
      <button type="submit" className={props.danger ? "btn btn-danger" : "btn"} disabled={pending}>{pending ? props.pendingLabel : props.label}</button>
    </form>
  );
}

export function ExecuteForm(props: { jobId: string; label: string }) {
  return <JobActionForm jobId={props.jobId} action={executeErasureAction} label={props.label} pendingLabel="Starting…" danger />;
}

/** Re-plan a job whose verification found data added after approval (a second person approves again). */
export function ReplanForm(props: { jobId: string }) {
  return <JobActionForm jobId={props.jobId} action={replanErasureAction} label="Re-plan" pendingLabel="Re-planning…" />;
}

/**
 * While a job runs: polls its state and step counts (a server action returning no personal data,
 * so polling does not fill the access log), and refreshes the page once the run ends.
 */
export function LiveProgress(props: { jobId: string; done: number; total: number; ms?: number }) {
  const router = useRouter();
  const [p, setP] = useState({ done: props.done, total: props.total });
  useEffect(() => {
    let stop = false;
    const t = setInterval(async () => {
      const r = await erasureProgressAction(props.jobId).catch(() => null);
      if (stop || !r) return;
      setP({ done: r.done, total: r.total });
      if (r.state !== "running") {
        stop = true;
        clearInterval(t);
        router.refresh();
      }
    }, props.ms ?? 1500);
    return () => { stop = true; clearInterval(t); };
  }, [props.jobId, props.ms, router]);
  return <p>Running… steps done: <strong>{p.done} / {p.total}</strong></p>;
}

/**
 * One other person's row in the preview (issue 8): the approver keeps them bound (default) or
 * unbinds them, with a reason that goes on the receipt and into the access log under their pseudonym.
 */
export function BystanderChoiceForm(props: { jobId: string; serverId: string; globalId: number; choice: "rebind" | "unbind"; label: string }) {
  const [state, action, pending] = useActionState(chooseBystanderAction, null);
  const id = useId();
  const unbind = props.choice === "rebind";
  return (
    <form action={action} noValidate aria-label={`Decide about ${props.label}`}>
      <input type="hidden" name="jobId" value={props.jobId} />
      <input type="hidden" name="serverId" value={props.serverId} />
      <input type="hidden" name="globalId" value={props.globalId} />
      <input type="hidden" name="choice" value={unbind ? "unbind" : "rebind"} />
      <Result state={state} />
      {unbind && (
        <div className="field">
          <label htmlFor={`${id}-r`}>Reason to unbind {props.label}</label>
          <input id={`${id}-r`} name="reason" autoComplete="off" maxLength={500} aria-invalid={state && !state.ok ? true : undefined} />
        </div>
      )}
      <button type="submit" className="btn" disabled={pending}>{pending ? "Saving…" : unbind ? `Unbind ${props.label} instead` : `Keep ${props.label} bound`}</button>
    </form>
  );
}
