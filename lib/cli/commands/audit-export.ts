import fs from "node:fs";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { defineCommand } from "@/lib/cli/command";
import { recordAccess } from "@/lib/audit/log";
import { accessLogCsvStream } from "@/lib/audit/export";
import { countAccessLogEntries, getAccessLogHeadSeq } from "@/lib/audit/queries";
import { accessLogFilterSchema, activeFilters } from "@/lib/audit/schemas";
import { resolveOperator } from "@/lib/cli/operator";

// The CSV export of the access-log page, from the command line: same filters, same columns,
// same formula neutralisation, logged as "accessLog.export" before any row is written.

export default defineCommand({
  name: "audit:export",
  summary: "Export access-log entries as CSV (same filters as the page); needs accessLog.export.",
  options: {
    operator: { type: "string", description: "Staff e-mail with accessLog.export (required; named in the log)." },
    out: { type: "string", description: "Write to this file (mode 0600) instead of stdout." },
    action: { type: "string", description: "Action prefix, e.g. subject." },
    actor: { type: "string", description: "Actor label contains." },
    role: { type: "string", description: "Actor role." },
    outcome: { type: "string", description: "ok | denied | error | not_found | invalid" },
    "request-id": { type: "string", description: "Request id." },
    from: { type: "string", description: "From day, YYYY-MM-DD (UTC)." },
    to: { type: "string", description: "To day, YYYY-MM-DD (UTC, inclusive)." },
    target: { type: "string", description: "Target pseudonym (64 hex, or a prefix of 8 or more)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "accessLog.export");
    const raw: Record<string, unknown> = { ...values, requestId: values["request-id"] };
    const filter = accessLogFilterSchema.parse(raw);
    for (const k of ["action", "actor", "role", "outcome", "requestId", "from", "to", "target"] as const) {
      if (raw[k] !== undefined && filter[k] === undefined) console.error(`Ignoring --${k === "requestId" ? "request-id" : k}: not a valid value.`);
    }
    const maxSeq = await getAccessLogHeadSeq();
    const rows = await countAccessLogEntries({ filter, maxSeq });
    await recordAccess({ actor, action: "accessLog.export", outcome: "ok", details: { format: "csv", via: "cli", filters: activeFilters(filter), rows, upToSeq: maxSeq } });
    const out = values.out ? fs.createWriteStream(values.out as string, { mode: 0o600 }) : process.stdout;
    await pipeline(Readable.fromWeb(accessLogCsvStream({ filter, maxSeq }) as never), out as Writable, { end: !!values.out });
    console.error(`Exported ${rows} entries (up to seq ${maxSeq}).`);
    return 0;
  },
});
