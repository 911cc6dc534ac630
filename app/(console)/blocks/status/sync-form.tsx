"use client";

import { useActionState } from "react";
import { syncBlocksAction } from "@/lib/blocks/actions";

export function SyncForm() {
  const [state, action, pending] = useActionState(syncBlocksAction, null);
  return (
    <form action={action}>
      {state && <div className={state.ok ? "banner-ok" : "banner-error"} role={state.ok ? "status" : "alert"}>{state.message}</div>}
      <button type="submit" className="btn btn-primary" disabled={pending}>{pending ? "Repairing…" : "Repair: make HAProxy match the console"}</button>
    </form>
  );
}
