import fs from "node:fs";
import path from "node:path";
import { recordAccess } from "@/lib/audit/log";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { activeFileFilters, fileClasses, retentionFileFilterSchema, retentionFilesCsv, retentionFileSearchSchema, sortFiles, matchesFile } from "@/lib/retention/files-table";
import { latestRetentionView } from "@/lib/retention/queries";

// retention:files: one log source's files as the retention page lists them (newest signed
// attestation; same filters, order and CSV columns), as JSON or, with --csv, the page's export.
// Logged like the page ("retention.view") or its export ("retention.files.export"). No log line.

export default defineCommand({
  name: "retention:files",
  summary: "List one log source's files from its newest retention attestation, with the page's filters and order; JSON, or --csv (the page's export).",
  options: {
    operator: { type: "string", description: "Staff e-mail (needs retention.view; named in the log)." },
    source: { type: "string", description: "sydent:<server label> or haproxy:haproxy (required)." },
    verdict: { type: "string", description: "overdue | current-too-old | expired | straddling | unreadable | changed-while-read | future-lines | undatable | missing | within" },
    class: { type: "string", description: "Files holding lines of this class: lookup | haproxy | application | connection" },
    gzip: { type: "string", description: "yes | no" },
    rotated: { type: "string", description: "rotated | current" },
    name: { type: "string", description: "File name contains (case-insensitive)." },
    sort: { type: "string", description: "verdict (default: most urgent first) | name | lines | overdueLines | oldest | newest | mtime | goneBy | overdueDays" },
    dir: { type: "string", description: "asc | desc (default asc)" },
    csv: { type: "boolean", description: "Print CSV (formula-safe) instead of JSON." },
    out: { type: "string", description: "With --csv: write to this file (mode 0600) instead of stdout." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "retention.view");
    if (typeof values.source !== "string") throw new UsageError("--source is required (sydent:<server label> or haproxy:haproxy).");
    const raw = { verdict: values.verdict, class: values.class, gzip: values.gzip, rotated: values.rotated, q: values.name, sort: values.sort, dir: values.dir };
    const search = retentionFileSearchSchema.parse(raw);
    for (const k of Object.keys(retentionFileFilterSchema.shape) as (keyof typeof raw)[]) {
      if (raw[k] !== undefined && search[k as keyof typeof search] === undefined) throw new UsageError(`--${k === "q" ? "name" : k}: not a valid value.`);
    }
    if (raw.sort !== undefined && raw.sort !== search.sort) throw new UsageError("--sort: not a sortable column.");
    if (raw.dir !== undefined && raw.dir !== search.dir) throw new UsageError("--dir: asc or desc.");
    const view = await latestRetentionView();
    const source = view.sources.find((s) => s.source === values.source);
    if (!source) {
      printJson({ ok: false, message: `No audited log source "${values.source}" (run retention:audit first; sources: ${view.sources.map((s) => s.source).join(", ") || "none"}).` });
      return 1;
    }
    const filters = activeFileFilters(search);
    if (values.csv) {
      const { csv, rows } = retentionFilesCsv(source, search);
      await recordAccess({ actor, action: "retention.files.export", outcome: "ok", details: { format: "csv", via: "cli", source: source.source, attestationId: source.attestationId, filters, sort: `${search.sort} ${search.dir}`, rows } });
      if (values.out) fs.writeFileSync(values.out as string, csv, { mode: 0o600 });
      else process.stdout.write(csv);
      console.error(`Exported ${rows} file(s) of ${source.source} (attestation ${source.attestationId}).`);
      return 0;
    }
    const files = sortFiles(source.files.filter((f) => matchesFile(f, search)), search.sort, search.dir);
    await recordAccess({ actor, action: "retention.view", outcome: "ok", details: { via: "cli", source: source.source, attestationId: source.attestationId, filters, sort: `${search.sort} ${search.dir}`, count: files.length } });
    printJson({
      source: source.source, attestationId: source.attestationId, at: source.at, total: source.files.length, count: files.length,
      files: files.map((f) => ({ name: path.basename(f.file), file: f.file, verdict: f.verdict, rotated: f.rotated, gzip: f.gzip, classes: fileClasses(f), lines: f.lines, overdueLines: f.overdueLines, oldestLineAt: f.oldestLineAt, newestLineAt: f.newestLineAt, mtime: f.mtime, mustBeGoneBy: f.mustBeGoneBy, overdueDays: f.overdueDays })),
    });
    return 0;
  },
});
