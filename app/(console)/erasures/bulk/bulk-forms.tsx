"use client";

import { useActionState, useEffect, useId } from "react";
import { usePassiveRefresh } from "@/lib/auth/use-passive-refresh";
import { CodeField } from "@/components/code-field";
import { approveBulkBatchAction, executeBulkBatchAction, uploadBulkBatch, type BulkFormState } from "@/lib/erasure/bulk-actions";

// Bulk-erasure controls: upload (dry run), approve (second person), execute, and a quiet refresh
// while the dry run or the execution is in progress. The actions check permission and state again.

function Result({ state }: { state: BulkFormState }) {
  return (
    <div aria-live="polite">
      {state?.message && <div className={state.ok ? "banner-ok" : "banner-error"} role={state.ok ? "status" : "alert"}>{state.message}</div>}
    </div>
  );
}

type Option = { value: string; label: string };

export function BulkUploadForm(props: { reasons: Option[]; requests: Option[] }) {
  const [state, action, pending] = useActionState(uploadBulkBatch, null);
  const id = useId();
  return (
    <form action={action} noValidate>
      <Result state={state} />
      <div className="field">
        <label htmlFor={`${id}-file`}>CSV file</label>
        <input id={`${id}-file`} name="file" type="file" accept=".csv,text/csv" required aria-describedby={`${id}-file-hint`} />
        <div className="field-hint" id={`${id}-file-hint`}>The kind is read from the header line. Rejected rows can be downloaded, fixed and uploaded again.</div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason</label>
        <select id={`${id}-reason`} name="reason" defaultValue="account_deactivated">
          {props.reasons.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-request`}>Request (optional)</label>
        <select id={`${id}-request`} name="requestId" defaultValue="" aria-describedby={`${id}-request-hint`}>
          <option value="">None: an erasure request is registered for the batch when it runs</option>
          {props.requests.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
        </select>
        <div className="field-hint" id={`${id}-request-hint`}>An open erasure request (any open request for reason &quot;Under 16&quot;).</div>
      </div>
      <button type="submit" className="btn btn-primary" disabled={pending}>{pending ? "Uploading…" : "Upload for a dry run"}</button>
    </form>
  );
}

export function ApproveBatchForm({ batchId, rows }: { batchId: string; rows: number }) {
  const [state, action, pending] = useActionState(approveBulkBatchAction, null);
  return (
    <form action={action}>
      <input type="hidden" name="batchId" value={batchId} />
      <Result state={state} />
      <p>Approving lets someone with the execute permission erase the <strong>{rows}</strong> row(s) not rejected. You cannot approve a batch you uploaded.</p>
      <CodeField invalid={state ? !state.ok : undefined} />
      <button type="submit" className="btn btn-danger" disabled={pending}>{pending ? "Approving…" : "Approve the whole batch"}</button>
    </form>
  );
}

export function ExecuteBatchForm({ batchId, resume }: { batchId: string; resume: boolean }) {
  const [state, action, pending] = useActionState(executeBulkBatchAction, null);
  return (
    <form action={action}>
      <input type="hidden" name="batchId" value={batchId} />
      <Result state={state} />
      <button type="submit" className="btn btn-danger" disabled={pending}>{pending ? "Starting…" : resume ? "Resume execution" : "Execute the batch"}</button>
    </form>
  );
}

/** Refreshes the server-rendered page every 2 s while work is in progress. */
export function AutoRefresh({ active }: { active: boolean }) {
  const refresh = usePassiveRefresh(); // does not keep the session alive (lib/auth/passive.ts)
  useEffect(() => {
    if (!active) return;
    const t = setInterval(refresh, 2000);
    return () => clearInterval(t);
  }, [active, refresh]);
  return null;
}
