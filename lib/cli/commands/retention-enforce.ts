import path from "node:path";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { codeOption, resolveOperator, resolveVerifiedOperator } from "@/lib/cli/operator";
import { recordAccess } from "@/lib/audit/log";
import { parseNowOption } from "@/lib/retention/cli-support";
import { abandonEnforcement, approveEnforcement, dryRun, requestEnforcement } from "@/lib/retention/run";

// retention:enforce: a DRY RUN by default (lists exactly which rotated files would be deleted or
// rewritten, with line counts and SHA-256; nothing changes). --execute asks for it: the first
// enforcement of a source waits for a second person (--approve <id> --code), later ones run at once
// (cron). One enforcement per source at a time (a second is refused); a run that throws ends
// "failed" with the error; --abandon <id> --reason records a run whose process died as failed.
// The current file of a source is never touched. Exit 0 ok, 1 refused/failed, 2 bad usage.

export default defineCommand({
  name: "retention:enforce",
  summary: "Enforce log retention on one source: dry run by default; --execute to apply (first time needs --approve by a second person with --code).",
  options: {
    operator: { type: "string", description: "Staff e-mail (retention.enforce; retention.approve with --approve)." },
    source: { type: "string", description: "Log source: sydent:<server label> or haproxy:haproxy." },
    execute: { type: "boolean", description: "Apply (or ask for approval the first time) instead of a dry run." },
    approve: { type: "string", description: "Approve and run the awaiting enforcement with this id (a second person)." },
    abandon: { type: "string", description: "Record the RUNNING enforcement with this id as failed (its process died); needs --reason." },
    reason: { type: "string", description: "Why the running enforcement is abandoned (with --abandon)." },
    now: { type: "string", description: "Judge as of this ISO time (not later than the clock)." },
    ...codeOption,
  },
  async run({ values }) {
    const now = parseNowOption(values.now);
    if (values.approve) {
      const actor = await resolveVerifiedOperator(values.operator as string | undefined, values.code, "retention.approve", "retention:enforce");
      const r = await approveEnforcement(actor, String(values.approve), now);
      printJson(r);
      return r.status === "done" && r.actions.every((a) => a.status !== "skipped") ? 0 : 1;
    }
    if (values.abandon) {
      const actor = await resolveOperator(values.operator as string | undefined, "retention.enforce");
      const r = await abandonEnforcement(actor, String(values.abandon), String(values.reason ?? ""));
      printJson(r);
      return r.ok ? 0 : 1;
    }
    const source = values.source as string | undefined;
    if (!source) throw new UsageError("--source <sydent:label | haproxy:haproxy> is required.");
    const actor = await resolveOperator(values.operator as string | undefined, "retention.enforce");
    if (!values.execute) {
      const d = await dryRun(source, now);
      if (!d) throw new UsageError(`No log source "${source}".`);
      await recordAccess({ actor, action: "retention.enforce.dryrun", outcome: "ok", details: { source, deletes: d.plan.items.filter((i) => i.action === "delete").length, rewrites: d.plan.items.filter((i) => i.action === "rewrite").length } });
      printJson({ dryRun: true, source, items: d.plan.items.map((i) => ({ ...i, name: path.basename(i.file) })), skipped: d.plan.skipped });
      return 0;
    }
    const r = await requestEnforcement(actor, source, now);
    printJson(r);
    if (r.status === "awaiting_approval") process.stderr.write(`First enforcement of ${source}: a second person approves with --approve ${r.enforcementId} --code <their code>.\n`);
    if (r.status === "refused" || r.status === "failed") process.stderr.write(`${r.message}\n`);
    return r.status === "refused" || r.status === "failed" || (r.status === "done" && r.actions.some((a) => a.status === "skipped")) ? 1 : 0;
  },
});
