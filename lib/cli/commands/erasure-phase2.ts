import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { operatorOption } from "@/lib/erasure/bulk-cli";
import { erasureAlarms, runPhase2 } from "@/lib/erasure/phase2";

// For cron (daily): advances phase 2 of every erasure - prunes tombstones every active peer has
// received, scrubs logs when configured - and prints what is still pending per peer and the
// alarms (erasures at day 25 of 30 or later). Exit 0 even with pending work: that is normal.

export default defineCommand({
  name: "erasure:phase2",
  summary: "Advance phase 2 of every erasure; print pending tombstones per peer and alarms (cron; needs erasure.execute).",
  options: { ...operatorOption },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "erasure.execute");
    const now = new Date();
    const jobs = await runPhase2(now, actor);
    const perPeer: Record<string, number> = {};
    for (const j of jobs) {
      for (const p of j.pending) {
        if (p.kind !== "tombstone") continue;
        for (const peer of p.behind.length ? p.behind : ["(deliverable: prune next run)"]) perPeer[`${p.server} -> ${peer}`] = (perPeer[`${p.server} -> ${peer}`] ?? 0) + 1;
      }
    }
    const alarms = await erasureAlarms(now);
    printJson({ at: now.toISOString(), jobs: jobs.map((j) => ({ jobId: j.jobId, state: j.state, stepsRun: j.stepsRun, pending: j.pending })), pendingTombstonesPerPeer: perPeer, alarms });
    if (alarms.length) console.error(`${alarms.length} erasure(s) at or past day 25 of 30.`);
    return 0;
  },
});
