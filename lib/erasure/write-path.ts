import type { StepKind } from "@/lib/erasure/plan";
import { proveStopped } from "@/lib/servers/sydent-state";

// How an erasure step may touch its server's database (ARCHITECTURE.md "Erasure: writing without
// harming Sydent"). API: BINDING_KINDS, MAINTENANCE_KINDS, writePath(kind, server) -> WritePath.
//   live server (a Sydent serves the file; the default):
//     binding steps      -> "api"   Sydent's internal API (unbind), or "replication" (wait, reads)
//     maintenance steps  -> "wait"  (sessions, invites, accounts/tokens/terms, tombstone pruning:
//                                    Sydent has no API for them; they run in a maintenance window)
//   stopped server (declared by an operator, sydentMode = "stopped"):
//     every writing step -> "direct" only after proveStopped() at that moment; otherwise a binding
//                           step pauses the job and a maintenance step waits, naming the evidence.
// Reads (verify, log scrub) always run. Nothing here writes.

export const BINDING_KINDS: StepKind[] = ["tombstoneAndDeleteGlobal", "deleteGlobal", "deleteEmbeddingRows", "rebindBystanders"];
export const MAINTENANCE_KINDS: StepKind[] = ["deleteSessions", "deleteInvitesTo", "deleteInvitesFrom", "deleteAccount", "pruneTombstone"];

export type PathServer = { label: string; dbPath: string; sydentMode: string; clientApiUrl: string | null; internalApiUrl: string | null };
export type WritePath =
  | { path: "read" }
  | { path: "api" }
  | { path: "replication" }
  | { path: "direct"; evidence: string[] }
  | { path: "wait"; waitingFor: string }
  | { path: "pause"; reason: string };

export function maintenanceWindowText(label: string): string {
  return `a maintenance window on ${label}: stop Sydent on ${label} (its peer keeps serving), declare it stopped (server:mode --server ${label} --mode stopped), run erasure:phase2, then restart Sydent and declare it live`;
}

export async function writePath(kind: StepKind, server: PathServer): Promise<WritePath> {
  if (kind === "verify" || kind === "scrubLogs") return { path: "read" };
  // Re-issuing a bystander's association needs a running Sydent (it signs): always its internal API
  // on the origin (bystanders.ts stops with the reason when it is not registered); a server holding
  // only peer copies just waits for the origin's tombstone, reading.
  if (kind === "rebindBystanders") return { path: "api" };
  const binding = BINDING_KINDS.includes(kind);
  if (server.sydentMode === "stopped") {
    const p = await proveStopped(server); // asked afresh before every writing step, never cached
    if (p.stopped) return { path: "direct", evidence: p.evidence };
    const why = `${server.label} is declared stopped but ${p.reason.replace(`${server.label}: `, "")}; nothing was written`;
    return binding ? { path: "pause", reason: `${why}. Stop Sydent, or declare ${server.label} live (writes then go through its internal API), and run again.` } : { path: "wait", waitingFor: `${why}; waiting for ${maintenanceWindowText(server.label)}` };
  }
  if (!binding) return { path: "wait", waitingFor: maintenanceWindowText(server.label) };
  if (kind === "deleteGlobal") return { path: "replication" };
  if (!server.internalApiUrl) {
    return { path: "pause", reason: `${server.label} is live and has no internal API registered: Custodian never writes bindings with SQL under a running Sydent. Register Sydent's internal API URL for ${server.label}, or stop Sydent and declare it stopped, then run again.` };
  }
  return { path: "api" };
}
