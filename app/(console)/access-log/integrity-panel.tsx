"use client";

import { useActionState } from "react";
import { sealAccessLogCheckpoint, verifyAccessLog, type SealState, type VerifyState } from "@/lib/audit/actions";

// Verify the hash chain and every signed checkpoint now; seal a checkpoint (roles with
// accessLog.seal). Both are server actions that check the permission again and log themselves.

function VerifyOutcome({ state }: { state: VerifyState }) {
  if (state.status === "idle") return null;
  if (state.status === "error") return <p className="banner-error">{state.message}</p>;
  const r = state.result;
  if (r.ok) {
    return (
      <p className="banner-ok">
        Intact: {r.entries.toLocaleString("en-GB")} entries and {r.checkpoints.toLocaleString("en-GB")} checkpoints verified in{" "}
        {(r.durationMs / 1000).toFixed(1)} s.{" "}
        {r.lastCheckpoint
          ? `Last checkpoint: seq ${r.lastCheckpoint.seq}, sealed ${r.lastCheckpoint.sealedAt} by ${r.lastCheckpoint.sealedBy}, key ${r.lastCheckpoint.keyId}.`
          : "No checkpoint has been sealed yet."}
        {r.keyIds.length > 1 && ` Signed by ${r.keyIds.length} different keys: ${r.keyIds.join(", ")}.`}
      </p>
    );
  }
  return (
    <div className="banner-error">
      <p>
        <strong>Broken at seq {r.firstBroken?.seq}: {r.firstBroken?.reason}.</strong> {r.firstBroken?.detail}
      </p>
      <p>
        {r.problemCount} problem(s) in {r.entries.toLocaleString("en-GB")} entries and {r.checkpoints} checkpoints.{" "}
        {r.lastCheckpoint ? `Intact and signed up to seq ${r.lastCheckpoint.seq}.` : "No valid checkpoint."}
      </p>
    </div>
  );
}

export function IntegrityPanel({ canVerify, canSeal, lastCheckpoint }: {
  canVerify: boolean;
  canSeal: boolean;
  lastCheckpoint: { seq: number; sealedAt: string; keyId: string; sealedBy: string } | null;
}) {
  const [verifyState, verify, verifying] = useActionState<VerifyState, FormData>(verifyAccessLog, { status: "idle" });
  const [sealState, seal, sealing] = useActionState<SealState, FormData>(sealAccessLogCheckpoint, {});
  if (!canVerify && !canSeal) return null;
  return (
    <section className="card" aria-labelledby="integrity-title">
      <h2 id="integrity-title">Integrity</h2>
      <p className="muted">
        {lastCheckpoint
          ? `Last signed checkpoint: seq ${lastCheckpoint.seq}, ${lastCheckpoint.sealedAt.replace("T", " ").slice(0, 19)} UTC, key ${lastCheckpoint.keyId}, by ${lastCheckpoint.sealedBy}.`
          : "No checkpoint has been sealed yet."}
      </p>
      <div className="toolbar">
        {canVerify && (
          <form action={verify}>
            <button type="submit" className="btn btn-primary" disabled={verifying}>{verifying ? "Verifying every entry…" : "Verify the log"}</button>
          </form>
        )}
        {canSeal && (
          <form action={seal}>
            <button type="submit" className="btn" disabled={sealing}>{sealing ? "Sealing…" : "Seal checkpoint now"}</button>
          </form>
        )}
      </div>
      <div aria-live="polite">
        <VerifyOutcome state={verifyState} />
        {sealState.message && <p className={sealState.ok ? "banner-ok" : "banner-error"}>{sealState.message}</p>}
      </div>
    </section>
  );
}
