import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { newSeed, requestTrail, sampleRequests } from "@/lib/audit/workspace/sample";
import { anomalyFlags } from "@/lib/audit/workspace/anomalies";

// The auditor's workspace on the command line: a recorded, seeded sample of requests with each
// one's trail (actions in log order, no personal data), plus the anomaly flags.

export default defineCommand({
  name: "audit:sample",
  summary: "Sample N requests at random (seeded, recorded in the access log) and print each one's trail and the anomaly flags.",
  options: {
    operator: { type: "string", description: "Staff e-mail with accessLog.view." },
    n: { type: "string", description: "How many requests (1-100, default 10)." },
    seed: { type: "string", description: "Seed (default: random, printed); the same seed gives the same sample." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "accessLog.view");
    const n = values.n === undefined ? 10 : Number(values.n);
    if (!Number.isInteger(n) || n < 1 || n > 100) throw new UsageError("--n must be a whole number from 1 to 100");
    const seed = (values.seed as string | undefined) ?? newSeed();
    if (!/^[\w.-]{1,64}$/.test(seed)) throw new UsageError("--seed: 1-64 letters, digits, '.', '-' or '_'");
    const sample = await sampleRequests(actor, seed, n);
    const trails = [];
    for (const r of sample.requests) {
      const t = await requestTrail(r.id);
      trails.push({ reference: r.reference, entries: t.map((e) => ({ seq: e.seq, at: e.at.toISOString(), role: e.actorRole, actor: e.actorLabel, action: e.action, outcome: e.outcome })) });
    }
    printJson({ ...sample, trails, flags: await anomalyFlags() });
    return 0;
  },
});
