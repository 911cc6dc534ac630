import { recordAccess } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import type { ErasurePlan, ServerPlan } from "@/lib/erasure/plan";
import { planSummary } from "@/lib/erasure/plan";
import { openJson } from "@/lib/erasure/workflow-support";
import { maskIdentifier } from "@/lib/subjects/present-mask";
import type { Medium } from "@/lib/subjects/types";

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
export type ErasurePreview = {
  masked: string;
  identifiers: { emails: string[]; msisdns: string[]; mxids: string[] };
  summary: ReturnType<typeof planSummary>;
  nothingHeld: boolean;
  servers: ServerPreview[];
  owedByUnregisteredPeers: { peer: string; threepid: string }[];
  logs: { files: { file: string; source: string; matches: number; expiresAt: string | null }[]; lastCopyExpiresAt: string | null } | null;
};

const m3 = (medium: Medium, address: string) => maskIdentifier(medium, address);

function stores(s: ServerPlan): StoreLine[] {
  const out: StoreLine[] = [];
  const add = (store: string, action: string, count: number, note?: string) => count > 0 && out.push({ store, action, count, ...(note ? { note } : {}) });
  const fresh = s.tombstones.filter((t) => !t.alreadyTombstone).length;
  add("local_threepid_associations", "Write a tombstone (as Sydent's unbind does) for each binding that originated here; replication tells the peers", fresh);
  add("global_threepid_associations", "Delete this server's lookup rows (bindings that originated here)", s.tombstones.reduce((n, t) => n + t.globalRows, 0));
  add("global_threepid_associations", "Delete replicated copies of bindings that originated on a peer", s.globalDeletes.reduce((n, t) => n + t.globalRows, 0));
  add("global_threepid_associations", "Delete other people's rows whose signed association embeds this person (those people can bind again)", s.embedding.length,
    s.embedding.some((e) => e.tombstoneLocal) ? "rows that originated here are also tombstoned" : undefined);
  add("threepid_validation_sessions", "Delete validation sessions (secrets inside are never read)", s.sessions.count);
  add("threepid_token_auths", "Delete the validation-token rows of those sessions", s.sessions.tokenRows);
  add("invite_tokens (to the person)", "Delete invites to the person", s.invitesTo.count, s.invitesTo.pending ? `${s.invitesTo.pending} pending invite(s) will stop working` : undefined);
  add("invite_tokens (from the person)", "Delete invites the person sent", s.invitesFrom.count, s.invitesFrom.pending ? `${s.invitesFrom.pending} pending invite(s) will stop working` : undefined);
  add("accounts", "Delete the v2 account (the person can register again)", s.accounts.length);
  add("tokens", "Delete v2 access tokens", s.accounts.reduce((n, a) => n + a.tokens, 0));
  add("accepted_terms_urls", "Delete accepted terms", s.accounts.reduce((n, a) => n + a.acceptedTerms, 0));
  return out;
}

export function presentPlan(plan: ErasurePlan, masked: string): ErasurePreview {
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
  };
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
  return plan ? presentPlan(plan, job.subjectMasked) : null;
}
