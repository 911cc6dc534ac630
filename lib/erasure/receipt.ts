import { maskIdentifier } from "@/lib/subjects/present-mask";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { decryptSecret } from "@/lib/keys";
import type { ErasurePlan } from "@/lib/erasure/plan";
import type { VerifyResult } from "@/lib/erasure/verify";
import type { SydentCheck } from "@/lib/erasure/verify-sydent";
import { writesOf, type ServerWrites } from "@/lib/erasure/receipt-writes";

// The erasure receipt (issue 4, "The receipt"). API: buildReceipt(jobId) -> ErasureReceipt (JSON).
// Per server and per store: what was done with row counts, the verification result, who asked /
// approved / executed and when, what is still pending (tombstones owed to peer X, bindings whose
// origin is not registered here, by count), the date the last log copy disappears, and the seq +
// hash of the job's latest access-log entry, linking the receipt into the chain. No personal data
// beyond the masked identifier: built only from step results (counts, ids) and console rows.

export type StoreCounts = Record<string, number>;
export type ServerReceipt = {
  server: string;
  serverName: string;
  stores: Record<string, StoreCounts>;
  /** sydent: Sydent's own answers (status codes, counts) when its client API is registered; null otherwise. */
  verification: (Pick<VerifyResult, "ok" | "lookups" | "leftovers"> & { at: string | null; sydent: SydentCheck | null }) | null;
  pendingTombstones: { tombstoneId: number; owedTo: string[] }[];
  /** How the writes reached this server (internal API, replication, direct while proven stopped), what waits, lock waits and retries. */
  writes: ServerWrites;
};
export type ErasureReceipt = {
  version: 1;
  jobId: string;
  requestId: string;
  requestReference: string | null;
  subject: string;
  reason: string;
  state: string;
  nothingHeld: boolean;
  people: { requestedBy: string | null; approvedBy: string | null; executedBy: string | null };
  times: { requestedAt: string; approvedAt: string | null; phase1DoneAt: string | null; phase2DueAt: string | null; completedAt: string | null };
  servers: ServerReceipt[];
  owedByUnregisteredPeers: { peer: string; bindings: number }[];
  logs: { mode: "expire" | "scrub"; files: number; lastCopyExpiresAt: string | null; scrubbed: boolean | null };
  accessLog: { seq: number; hash: string } | null;
  generatedAt: string;
  /** Other people whose rows embedded the subject (issue 8): what happened to each row, masked. */
  bystanders?: BystanderReceiptLine[];
};

const STORE_OF: Record<string, Record<string, [string, string]>> = {
  tombstoneAndDeleteGlobal: { tombstonesWritten: ["local_threepid_associations", "tombstonesWritten"], globalDeleted: ["global_threepid_associations", "deleted"] },
  deleteGlobal: { globalDeleted: ["global_threepid_associations", "deleted"] },
  deleteEmbeddingRows: { globalDeleted: ["global_threepid_associations (other people's rows embedding the subject)", "deleted"], tombstonesWritten: ["local_threepid_associations (other people's rows embedding the subject)", "tombstonesWritten"] },
  // Bystanders kept bound (issue 8): Sydent re-issued them on their origin (unbind, tombstone
  // delivered, bind); the old rows embedding the subject went with Sydent's own unbind and tombstone.
  rebindBystanders: {
    reissued: ["global_threepid_associations (other people's associations re-issued by Sydent, still bound)", "reissued"],
    peerCopiesRemoved: ["global_threepid_associations (peer copies of other people's old rows, removed by the origin's tombstone)", "deleted"],
    leftUnboundErased: ["local_threepid_associations (other people unbound and not bound again: their own erasure is approved)", "tombstonesWritten"],
  },
  deleteSessions: { sessions: ["threepid_validation_sessions", "deleted"], tokenAuths: ["threepid_token_auths", "deleted"] },
  deleteInvitesTo: { invites: ["invite_tokens (invites to the subject)", "deleted"] },
  deleteInvitesFrom: { invites: ["invite_tokens (invites from the subject)", "deleted"] },
  deleteAccount: { accounts: ["accounts", "deleted"], tokens: ["tokens", "deleted"], acceptedTerms: ["accepted_terms_urls", "deleted"] },
  pruneTombstone: { pruned: ["local_threepid_associations", "tombstonesPruned"] },
};

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export async function buildReceipt(jobId: string): Promise<ErasureReceipt> {
  const job = await db().erasureJob.findUniqueOrThrow({ where: { id: jobId } });
  const steps = await db().erasureStep.findMany({ where: { jobId }, orderBy: { seq: "asc" } });
  const servers = await db().identityServer.findMany({ where: { id: { in: [...new Set(steps.map((s) => s.serverId).filter((x): x is string => !!x))] } } });
  const staffIds = [job.requestedById, job.approvedById, job.executedById].filter((x): x is string => !!x);
  const staff = new Map((await db().staff.findMany({ where: { id: { in: staffIds } }, select: { id: true, email: true } })).map((s) => [s.id, s.email]));
  const request = await db().request.findUnique({ where: { id: job.requestId }, select: { reference: true } });
  // A bulk row's job is created at execution, after the whole batch was approved: the request
  // behind it is the batch upload (by the uploader, requestedBy), so that is its requestedAt.
  // Taking the job's createdAt made approvedAt (the batch's approval) come before requestedAt.
  const batch = job.batchId ? await db().erasureBatch.findUnique({ where: { id: job.batchId }, select: { createdAt: true } }) : null;
  const requestedAt = batch && batch.createdAt < job.createdAt ? batch.createdAt : job.createdAt;
  const plan = job.planEnc ? (JSON.parse(decryptSecret(job.planEnc, "subject-identifier-v1")) as ErasurePlan) : null;

  const byServer = new Map<string, ServerReceipt>();
  for (const s of servers) byServer.set(s.id, { server: s.label, serverName: s.serverName, stores: {}, verification: null, pendingTombstones: [], writes: writesOf(steps.filter((x) => x.serverId === s.id)) });
  let scrubbed: boolean | null = null;
  for (const step of steps) {
    if (step.state !== "done" && step.state !== "failed") continue;
    const r = step.result ? (JSON.parse(step.result) as Record<string, unknown>) : {};
    if (step.kind === "scrubLogs") scrubbed = r.scrubbed === true;
    const sr = step.serverId ? byServer.get(step.serverId) : undefined;
    if (!sr) continue;
    if (step.kind === "verify") {
      const v = r as unknown as VerifyResult;
      sr.verification = { ok: v.ok, lookups: v.lookups, leftovers: v.leftovers, at: iso(step.doneAt), sydent: v.sydent ?? null };
      sr.pendingTombstones = v.tombstones.filter((t) => t.behind.length).map((t) => ({ tombstoneId: t.id, owedTo: t.behind }));
      continue;
    }
    // The step's effect: what its last run changed plus what an interrupted earlier run of the
    // same step had already done ("already", ops.ts), so a crash and resume count like a clean run.
    const already = (r.already ?? {}) as Record<string, unknown>;
    for (const [field, [store, label]] of Object.entries(STORE_OF[step.kind] ?? {})) {
      const n = Number(r[field] ?? 0) + Number(already[field] ?? 0);
      const counts = (sr.stores[store] ??= {});
      counts[label] = (counts[label] ?? 0) + n;
    }
  }
  // Tombstones pruned since verification are no longer pending.
  const pruned = (res: string | null) => {
    const x = res ? (JSON.parse(res) as { pruned?: number; already?: { pruned?: number } }) : {};
    return (x.pruned ?? 0) + (x.already?.pruned ?? 0);
  };
  const prunedIds = new Set(steps.filter((s) => s.kind === "pruneTombstone" && s.state === "done" && pruned(s.result) > 0).map((s) => `${s.serverId}:${JSON.parse(decryptSecret(s.targetEnc, "subject-identifier-v1")).id}`));
  // Completion is only recorded once phase 2 found no tombstone left on any server.
  for (const [id, sr] of byServer) sr.pendingTombstones = job.state === "completed" ? [] : sr.pendingTombstones.filter((t) => !prunedIds.has(`${id}:${t.tombstoneId}`));

  const owed = new Map<string, number>();
  for (const o of plan?.owedByUnregisteredPeers ?? []) owed.set(o.peer, (owed.get(o.peer) ?? 0) + 1);
  const last = await db().accessLogEntry.findFirst({ where: { requestId: job.requestId, action: { startsWith: "erasure." }, details: { contains: job.id } }, orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  return {
    version: 1,
    jobId: job.id,
    requestId: job.requestId,
    requestReference: request?.reference ?? null,
    subject: job.subjectMasked,
    reason: job.reason,
    state: job.state,
    nothingHeld: plan?.nothingHeld ?? job.state === "nothing_held",
    people: { requestedBy: staff.get(job.requestedById) ?? null, approvedBy: job.approvedById ? staff.get(job.approvedById) ?? null : null, executedBy: job.executedById ? staff.get(job.executedById) ?? null : null },
    times: { requestedAt: requestedAt.toISOString(), approvedAt: iso(job.approvedAt), phase1DoneAt: iso(job.phase1DoneAt), phase2DueAt: iso(job.phase2DueAt), completedAt: iso(job.completedAt) },
    servers: [...byServer.values()],
    bystanders: bystanderLines(plan, steps, servers),
    owedByUnregisteredPeers: [...owed].map(([peer, bindings]) => ({ peer, bindings })),
    logs: { mode: env().CUSTODIAN_ERASURE_LOGS, files: plan?.logs?.files.length ?? 0, lastCopyExpiresAt: plan?.logs?.lastCopyExpiresAt ?? null, scrubbed },
    accessLog: last ? { seq: Number(last.seq), hash: last.hash } : null,
    generatedAt: new Date().toISOString(),
  };
}

export type BystanderReceiptLine = { server: string; address: string; mxid: string; originServer: string; pseudonym: string; action: "kept bound (re-issued by Sydent)" | "kept bound (peer copy replaced)" | "unbound (approved)" | "unbound (their own erasure is approved)"; done: boolean };

/** One line per other person's row from the plan, with whether its step has run. */
function bystanderLines(plan: ErasurePlan | null, steps: { kind: string; serverId: string | null; state: string; targetEnc: string; result: string | null }[], servers: { id: string; label: string; serverName: string }[]): BystanderReceiptLine[] {
  if (!plan) return [];
  // Re-issues that left a person unbound because their own erasure is approved (bystanders.ts).
  const leftUnbound = new Set<string>();
  for (const st of steps) {
    if (st.kind !== "rebindBystanders" || st.state !== "done" || !st.result) continue;
    const idx = (JSON.parse(st.result) as { erasedRows?: number[] }).erasedRows ?? [];
    if (!idx.length) continue;
    const rows = (JSON.parse(decryptSecret(st.targetEnc, "subject-identifier-v1")) as { rows: { medium: string; address: string }[] }).rows;
    for (const i of idx) if (rows[i]) leftUnbound.add(`${st.serverId}|${rows[i].medium}:${rows[i].address}`);
  }
  return plan.servers.flatMap((sp) => sp.embedding.map((e) => {
    const kind = e.action === "rebind" ? "rebindBystanders" : "deleteEmbeddingRows";
    const server = servers.find((x) => x.id === sp.server.id);
    return {
      server: server?.label ?? sp.server.label,
      address: maskIdentifier(e.medium, e.address),
      mxid: maskIdentifier("mxid", e.mxid),
      originServer: e.originServer,
      pseudonym: pseudonymFor(e.medium, e.address),
      action: e.action !== "rebind" ? "unbound (approved)" as const
        : leftUnbound.has(`${sp.server.id}|${e.medium}:${e.address}`) ? "unbound (their own erasure is approved)" as const
        : e.originServer === sp.server.serverName ? "kept bound (re-issued by Sydent)" as const : "kept bound (peer copy replaced)" as const,
      done: ((own) => own.length > 0 && own.every((st) => st.state === "done"))(steps.filter((st) => st.kind === kind && st.serverId === sp.server.id)),
    };
  }));
}
