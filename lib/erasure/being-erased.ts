import { pseudonymFor } from "@/lib/audit/pseudonym";
import { db } from "@/lib/db";
import { decryptSecret } from "@/lib/keys";
import type { BystanderRow } from "@/lib/erasure/bystanders";
import { normaliseIdentifier } from "@/lib/sydent/normalise";

// Is a bystander (another person whose row embeds the subject) the subject of an erasure of their
// own? Asked by the bystander re-issue just before Sydent binds them again: such a person stays
// unbound (their own erasure wants that). Counted: an erasure job other than `exceptJobId` that
// was approved (approved, running, paused, phase 1 or 2, completed), and a row of an approved bulk
// batch whose job may not exist yet (a later page). Both matched on the person's 3PID or Matrix
// ID: the batch rows by pseudonym, the jobs by their identifiers (a job's subject can have several).

const ACTIVE_JOB = ["approved", "running", "paused", "phase1_done", "phase2_pending", "completed"];
const APPROVED_BATCH = ["approved", "running", "done"];
const KEY = "subject-identifier-v1" as const;

type Ids = { emails?: string[]; msisdns?: string[]; mxids?: string[] };

export function beingErasedCheck(exceptJobId: string): (r: BystanderRow) => Promise<boolean> {
  let jobs: Ids[] | null = null;
  return async (r) => {
    const address = normaliseIdentifier(r.medium, r.address);
    const mxid = normaliseIdentifier("mxid", r.mxid);
    const pseudonyms = [pseudonymFor(r.medium, r.address), pseudonymFor("mxid", r.mxid)];
    const rows = await db().erasureBatchRow.findMany({ where: { pseudonym: { in: pseudonyms }, status: { in: ["valid", "done"] } }, select: { batchId: true } });
    if (rows.length && (await db().erasureBatch.count({ where: { id: { in: [...new Set(rows.map((x) => x.batchId))] }, state: { in: APPROVED_BATCH } } })) > 0) return true;
    jobs ??= (await db().erasureJob.findMany({ where: { state: { in: ACTIVE_JOB }, id: { not: exceptJobId } }, select: { subjectEnc: true } })).map((j) => JSON.parse(decryptSecret(j.subjectEnc, KEY)) as Ids);
    const list = r.medium === "email" ? "emails" : "msisdns";
    return jobs.some((j) => (j[list] ?? []).some((a) => normaliseIdentifier(r.medium, a) === address) || (j.mxids ?? []).some((m) => normaliseIdentifier("mxid", m) === mxid));
  };
}
