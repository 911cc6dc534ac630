import { recordAccess, withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { canApprove, isRole } from "@/lib/authz";
import { db } from "@/lib/db";
import type { ErasurePlan } from "@/lib/erasure/plan";
import { openJson, sealJson } from "@/lib/erasure/workflow-support";

// Unbinding a bystander (issue 8) is never the default: it is an explicit choice, with a reason,
// made per row by a second person (erasure.approve, never the one who asked for the erasure),
// before the erasure is approved. The choice is stored in the job's plan (so the preview and the
// receipt show it) and logged under the bystander's own pseudonym. Switching back to "rebind"
// follows the same rule.

export type BystanderChoice = { serverId: string; globalId: number; action: "rebind" | "unbind"; reason: string };

/** The plan with one bystander row's action changed; null when the row is not in the plan. */
export function withBystanderChoice(plan: ErasurePlan, c: BystanderChoice): ErasurePlan | null {
  const row = plan.servers.find((s) => s.server.id === c.serverId)?.embedding.find((e) => e.globalId === c.globalId && !e.reissueOnly);
  if (!row) return null;
  const set = (e: ErasurePlan["servers"][number]["embedding"][number]) => ({ ...e, action: c.action, ...(c.action === "unbind" ? { unbindReason: c.reason } : { unbindReason: undefined }) });
  // The same person's re-issue on their origin (planned because only a peer's copy embeds the
  // subject) follows the choice: one person, one decision.
  const same = (e: typeof row) => e.medium === row.medium && e.address === row.address && e.mxid === row.mxid;
  const servers = plan.servers.map((s) => ({
    ...s,
    embedding: s.embedding.map((e) => ((s.server.id === c.serverId && e.globalId === c.globalId && !e.reissueOnly) || (e.reissueOnly && same(e)) ? set(e) : e)),
  }));
  return { ...plan, servers };
}

export async function chooseBystander(input: BystanderChoice & { jobId: string; actor: Actor }): Promise<{ ok: true } | { ok: false; message: string }> {
  const { actor } = input;
  const job = await db().erasureJob.findUnique({ where: { id: input.jobId } });
  if (!job || !job.planEnc) return { ok: false, message: "No such erasure." };
  const deny = async (message: string) => {
    await recordAccess({ actor, action: "erasure.bystander.choice", target: { type: "request", ref: job.requestId }, requestId: job.requestId, outcome: "denied", details: { jobId: job.id, reason: message } });
    return { ok: false as const, message };
  };
  if (!actor.id || !isRole(actor.role) || !canApprove({ id: actor.id, role: actor.role }, "erasure.approve", job.requestedById)) {
    return deny("Only a second person who may approve erasures (not the one who asked for it) may decide about another person's row.");
  }
  if (job.state !== "awaiting_approval") return { ok: false, message: "Bystander decisions are made before the erasure is approved." };
  const reason = input.reason.trim();
  if (input.action === "unbind" && reason.length < 10) return { ok: false, message: "Give the reason for unbinding this person (at least 10 characters): it goes on the receipt and in the access log." };
  const plan = withBystanderChoice(openJson<ErasurePlan>(job.planEnc), { ...input, reason });
  if (!plan) return { ok: false, message: "That row is not part of this erasure's plan." };
  const row = plan.servers.find((s) => s.server.id === input.serverId)!.embedding.find((e) => e.globalId === input.globalId)!;
  await withAccessLog(
    { actor, action: "erasure.bystander.choice", target: { type: row.medium, value: row.address }, requestId: job.requestId, outcome: "ok", details: { jobId: job.id, action: input.action, reason, originServer: row.originServer } },
    (tx) => tx.erasureJob.update({ where: { id: job.id }, data: { planEnc: sealJson(plan) } }),
  );
  return { ok: true };
}
