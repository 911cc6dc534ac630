import { recordAccess } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import type { ErasurePlan, ServerPlan } from "@/lib/erasure/plan";
import { planSummary } from "@/lib/erasure/plan";
import { openJson } from "@/lib/erasure/workflow-support";
import { maskIdentifier } from "@/lib/subjects/present-mask";
import type { Medium } from "@/lib/subjects/types";
import { distinguishingTagOfPseudonym } from "@/lib/subjects/tags";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { leakSuspected } from "@/lib/erasure/bystanders";

// The preview of an erasure (erasure.preview): the stored plan (plan.ts), per server and per
// store, with counts, MASKED. Peers that hold a binding they originated are listed as registered
// (their own steps run there) or owed (their operator must unbind); pending invites that will stop
// working; log files that mention the person and when each copy expires.

export type StoreLine = { store: string; action: string; count: number; note?: string };
export type ServerPreview = {
  label: string;
  serverName: string;
  readable: boolean;
  error?: string;
  stores: StoreLine[];
  peers: { threepid: string; originServer: string; registered: boolean }[];
  tombstonesAwaitingDelivery: { threepid: string; undeliveredTo: string[] }[];
};
/** One line per other person's row embedding the subject (issue 8), masked. */
export type BystanderLine = {
  /** The row, for a decision about it (bystander-choice.ts): the server it is held on and its global row id. */
  serverId: string;
  globalId: number;
  /** What the plan does with it now: "rebind" (the default, kept bound) or "unbind" (an approved choice). */
  choice: "rebind" | "unbind";
  /** False for the origin's re-issue planned for a peer's copy: it follows the decision about that copy. */
  decidable: boolean;
  server: string;
  address: string;
  mxid: string;
  tag: string;
  originServer: string;
  action: string;
  /** The origin's Sydent must be restarted before approving (its newest association embeds someone's invites). */
  restartFirst: boolean;
  /** The origin is registered but its internal API is not: the job will stop at this row. */
  needsInternalApi: boolean;
};
export type ServerCheck = { serverName: string; label: string; internalApi: boolean; leakSuspected: boolean };
export type ErasurePreview = {
  masked: string;
  identifiers: { emails: string[]; msisdns: string[]; mxids: string[] };
  summary: ReturnType<typeof planSummary>;
  nothingHeld: boolean;
  servers: ServerPreview[];
  owedByUnregisteredPeers: { peer: string; threepid: string }[];
  logs: { files: { file: string; source: string; matches: number; expiresAt: string | null }[]; lastCopyExpiresAt: string | null } | null;
  bystanders: BystanderLine[];
};

const m3 = (medium: Medium, address: string) => maskIdentifier(medium, address);

function stores(s: ServerPlan): StoreLine[] {
  const out: StoreLine[] = [];
  const add = (store: string, action: string, count: number, note?: string) => count > 0 && out.push({ store, action, count, ...(note ? { note } : {}) });
  const fresh = s.tombstones.filter((t) => !t.alreadyTombstone).length;
  add("local_threepid_associations", "Write a tombstone (as Sydent's unbind does) for each binding that originated here; replication tells the peers", fresh);
  add("global_threepid_associations", "Delete this server's lookup rows (bindings that originated here)", s.tombstones.reduce((n, t) => n + t.globalRows, 0));
  add("global_threepid_associations", "Delete replicated copies of bindings that originated on a peer", s.globalDeletes.reduce((n, t) => n + t.globalRows, 0));
  const keep = s.embedding.filter((e) => e.action === "rebind");
  const unbind = s.embedding.filter((e) => e.action !== "rebind");
  add("global_threepid_associations", "Other people's rows whose signed association embeds this person: re-issued by Sydent without it (Sydent's unbind and tombstone remove the old rows); those people stay bound (see \"Other people\" below)", keep.length);
  add("global_threepid_associations", "Other people's rows embedding this person: UNBOUND by an approved choice (deleted; tombstoned where they originated here)", unbind.length,
    unbind.some((e) => e.tombstoneLocal) ? "rows that originated here are also tombstoned" : undefined);
  add("threepid_validation_sessions", "Delete validation sessions (secrets inside are never read)", s.sessions.count);
  add("threepid_token_auths", "Delete the validation-token rows of those sessions", s.sessions.tokenRows);
  add("invite_tokens (to the person)", "Delete invites to the person", s.invitesTo.count, s.invitesTo.pending ? `${s.invitesTo.pending} pending invite(s) will stop working` : undefined);
  add("invite_tokens (from the person)", "Delete invites the person sent", s.invitesFrom.count, s.invitesFrom.pending ? `${s.invitesFrom.pending} pending invite(s) will stop working` : undefined);
  add("accounts", "Delete the v2 account (the person can register again)", s.accounts.length);
  add("tokens", "Delete v2 access tokens", s.accounts.reduce((n, a) => n + a.tokens, 0));
  add("accepted_terms_urls", "Delete accepted terms", s.accounts.reduce((n, a) => n + a.acceptedTerms, 0));
  // Issue 8, "the preview is the whole truth": phase 2 also prunes the person's OLD tombstones.
  add("local_threepid_associations", "Phase 2: prune this person's existing tombstones (from earlier unbinds) once every active peer has received them", s.existingTombstones.length);
  return out;
}

function bystanders(plan: ErasurePlan, checks: ServerCheck[]): BystanderLine[] {
  return plan.servers.flatMap((s) => s.embedding.map((e) => {
    const origin = checks.find((c) => c.serverName === e.originServer);
    const here = e.originServer === s.server.serverName;
    const action = e.action !== "rebind"
      ? `Unbind (approved choice${e.unbindReason ? `: ${e.unbindReason}` : ""})`
      : e.reissueOnly ? "Keep bound: Sydent re-issues the association here (its origin), so peers receive a copy without this person (not discoverable for about one replication cycle)"
      : here ? "Keep bound: Sydent re-issues the association on this server; its unbind removes the old row (not discoverable for about one replication cycle)"
      : `Keep bound: ${origin ? origin.label : e.originServer} re-issues the association; this copy goes with its tombstone (Sydent's replication)`;
    return {
      serverId: s.server.id, globalId: e.globalId, choice: e.action === "rebind" ? "rebind" as const : "unbind" as const, decidable: !e.reissueOnly,
      server: s.server.label, address: m3(e.medium, e.address), mxid: maskIdentifier("mxid", e.mxid), tag: distinguishingTagOfPseudonym(pseudonymFor(e.medium, e.address)),
      originServer: e.originServer, action,
      restartFirst: e.action === "rebind" && !!origin?.leakSuspected,
      needsInternalApi: e.action === "rebind" && !!origin && !origin.internalApi,
    };
  }));
}

export function presentPlan(plan: ErasurePlan, masked: string, checks: ServerCheck[] = []): ErasurePreview {
  const ids = plan.identifiers;
  return {
    masked,
    identifiers: {
      emails: ids.emails.map((e) => maskIdentifier("email", e)),
      msisdns: ids.msisdns.map((e) => maskIdentifier("msisdn", e)),
      mxids: ids.mxids.map((e) => maskIdentifier("mxid", e)),
    },
    summary: planSummary(plan),
    nothingHeld: plan.nothingHeld,
    servers: plan.servers.map((s) => ({
      label: s.server.label,
      serverName: s.server.serverName,
      readable: s.readable,
      ...(s.error ? { error: s.error } : {}),
      stores: stores(s),
      peers: s.originatedOnPeer.map((p) => ({ threepid: m3(p.medium, p.address), originServer: p.originServer, registered: p.registered })),
      tombstonesAwaitingDelivery: s.existingTombstones.filter((t) => t.undeliveredTo.length).map((t) => ({ threepid: m3(t.medium, t.address), undeliveredTo: t.undeliveredTo })),
    })),
    owedByUnregisteredPeers: plan.owedByUnregisteredPeers.map((o) => ({ peer: o.peer, threepid: m3(o.medium, o.address) })),
    logs: plan.logs,
    bystanders: bystanders(plan, checks),
  };
}

/** Per registered server: is its internal API registered, and may its Sydent still carry leaked invites? */
async function serverChecks(): Promise<ServerCheck[]> {
  const servers = await db().identityServer.findMany({ where: { disabledAt: null } });
  return servers.map((s) => {
    let leak = false;
    try {
      leak = leakSuspected(s.dbPath, s.serverName);
    } catch {
      leak = false; // unreadable: the plan already says so
    }
    return { serverName: s.serverName, label: s.label, internalApi: !!s.internalApiUrl, leakSuspected: leak };
  });
}

/** erasure.preview: the job's plan, masked; logged with the requestId (it is on the request's timeline). */
export async function previewErasure(jobId: string, actor: Actor): Promise<ErasurePreview | null> {
  const job = await db().erasureJob.findUnique({ where: { id: jobId }, select: { id: true, requestId: true, subjectMasked: true, planEnc: true } });
  if (!job) return null;
  const plan = job.planEnc ? openJson<ErasurePlan>(job.planEnc) : null;
  await recordAccess({
    actor, action: "erasure.preview", target: { type: "request", ref: job.requestId }, requestId: job.requestId,
    outcome: plan ? "ok" : "not_found", details: { jobId: job.id },
  });
  return plan ? presentPlan(plan, job.subjectMasked, plan.servers.some((x) => x.embedding.length) ? await serverChecks() : []) : null;
}
