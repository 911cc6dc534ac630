import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { db } from "@/lib/db";
import { operatorOption } from "@/lib/erasure/bulk-cli";
import { executeErasure } from "@/lib/erasure/workflow";

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
    for (const jobId of ids) results.push({ jobId, ...(await executeErasure({ jobId, executor })) });
    printJson({ resumed: results.length, results });
    return results.every((r) => r.ok && r.state !== "paused") ? 0 : 1;
  },
});
