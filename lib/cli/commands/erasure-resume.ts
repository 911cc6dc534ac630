import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { db } from "@/lib/db";
import { operatorOption } from "@/lib/erasure/bulk-cli";
import { executeErasure } from "@/lib/erasure/workflow";
import { leaseHeld } from "@/lib/erasure/engine-lease";

// Finishes paused jobs (identity database was locked, missing or read-only) and jobs left
// "running" by a process that stopped. The engine's lease keeps a live runner's job to itself.

export default defineCommand({
  name: "erasure:resume",
  summary: "Resume paused or interrupted erasure jobs, or one job with --job (needs erasure.execute).",
  options: { job: { type: "string", description: "Only this ErasureJob id." }, ...operatorOption },
  async run({ values }) {
    const executor = await resolveOperator(values.operator as string | undefined, "erasure.execute");
    const ids = typeof values.job === "string" && values.job.trim()
      ? [values.job.trim()]
      : (await db().erasureJob.findMany({ where: { state: { in: ["paused", "running"] } }, orderBy: { createdAt: "asc" }, select: { id: true } })).map((j) => j.id);
    const results = [];
    for (const jobId of ids) {
      // A job another (possibly dead) process holds is not "running" for us: say so, with when its lease ends.
      const held = await leaseHeld(jobId);
      if (held) {
        console.error(`${jobId}: ${held.message}`);
        results.push({ jobId, ok: false, code: "lease_held", ...held });
        continue;
      }
      results.push({ jobId, ...(await executeErasure({ jobId, executor })) });
    }
    printJson({ resumed: results.filter((r) => r.ok).length, results });
    return results.every((r) => r.ok && "state" in r && r.state !== "paused") ? 0 : 1;
  },
});
