import { defineCommand, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { appendAccessLog, LOG_TX } from "@/lib/audit/log";
import { flushPublications } from "@/lib/audit/publish";
import { getAccessLogHeadSeq } from "@/lib/audit/queries";
import { db } from "@/lib/db";
import { newSeed, sampleRequests } from "@/lib/audit/workspace/sample";
import { sampleParamsError, sampleParamsSchema } from "@/lib/audit/workspace/schemas";
import { countRequestTrail, getTrailScope, iterateRequestTrail, type TrailScope } from "@/lib/audit/workspace/trail";
import { viewFlags } from "@/lib/audit/workspace/views";

// The auditor's workspace on the command line: a recorded, seeded sample of requests (seed, size,
// cut-off: the same three always give the same sample) with each one's trail (actions in log
// order, no personal data; entries matched only by a linked subject say so) and the anomaly flags.
// Logged like the console: audit.sample (once per identical draw within ten minutes), one
// audit.flags.view and one audit.trail.view per request printed, all before anything is printed.
// The trails are read and printed a page at a time (one JSON document, written as it is read), so
// a trail of thousands of entries does not have to fit in memory.

const TRAIL_PAGE = 1000;

export default defineCommand({
  name: "audit:sample",
  summary: "Sample N requests at random (seeded, with a cut-off, recorded in the access log) and print each one's trail and the anomaly flags.",
  options: {
    operator: { type: "string", description: "Staff e-mail with accessLog.view." },
    n: { type: "string", description: "How many requests (1-100, default 10)." },
    seed: { type: "string", description: "Seed (default: random, printed); the same seed and cut-off give the same sample." },
    cutoff: { type: "string", description: "Draw from the requests registered up to this UTC time, e.g. 2026-12-01T09:30:00Z (default: now, printed)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "accessLog.view");
    const parsed = sampleParamsSchema.safeParse({ seed: (values.seed as string | undefined) ?? newSeed(), n: values.n as string | undefined, cutoff: values.cutoff as string | undefined });
    if (!parsed.success) throw new UsageError(sampleParamsError(parsed.error));
    const { sample, seq } = await sampleRequests(actor, { ...parsed.data, cutoff: parsed.data.cutoff ?? new Date().toISOString() });
    const flags = await viewFlags(actor);

    // Log what is about to be shown, then show exactly that (trails up to the head as of now).
    const upToSeq = await getAccessLogHeadSeq();
    const trails: { reference: string; requestId: string; scope: TrailScope | null; entries: number; bySubject: number }[] = [];
    for (const r of sample.requests) {
      const scope = await getTrailScope(r.id);
      const counts = scope ? await countRequestTrail(scope, upToSeq) : { entries: 0, bySubject: 0 };
      trails.push({ reference: r.reference, requestId: r.id, scope, ...counts });
    }
    await db().$transaction(async (tx) => {
      for (const t of trails) {
        await appendAccessLog(tx, {
          actor, action: "audit.trail.view", outcome: t.scope ? "ok" : "not_found", target: { type: "request", ref: t.requestId },
          details: { entries: t.entries, matchedBySubject: t.bySubject, upToSeq, sampleSeq: seq },
        });
      }
    }, LOG_TX);
    await flushPublications();

    const out = (s: string) => void process.stdout.write(s);
    const head = JSON.stringify({ ...sample, recordedAs: seq, flags }, null, 2);
    out(`${head.slice(0, -2)},\n  "trails": [`);
    for (const [i, t] of trails.entries()) {
      out(`${i ? "," : ""}\n    {\n      "reference": ${JSON.stringify(t.reference)},\n      "entries": [`);
      let k = 0;
      if (t.scope) {
        for await (const page of iterateRequestTrail(t.scope, { upToSeq, pageSize: TRAIL_PAGE })) {
          out(page.map((e) => `${k++ ? "," : ""}\n        ${JSON.stringify({ seq: e.seq, at: e.at.toISOString(), role: e.actorRole, actor: e.actorLabel, action: e.action, outcome: e.outcome, match: e.match })}`).join(""));
        }
      }
      out(`${k ? "\n      " : ""}]\n    }`);
    }
    out(`${trails.length ? "\n  " : ""}]\n}\n`);
    return 0;
  },
});
