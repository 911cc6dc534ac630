import fs from "node:fs";
import path from "node:path";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { createBulkBatch } from "@/lib/erasure/bulk";
import { operatorOption, required, requestIdFromRef } from "@/lib/erasure/bulk-cli";
import { getBatch, pageBatchRows } from "@/lib/erasure/bulk-queries";

// Uploads a bulk-erasure CSV as a DRY-RUN batch (nothing is erased), waits for the dry run and
// prints the per-row results (masked) and the rejected count. Same checks as the upload page.

export default defineCommand({
  name: "erasure:bulk",
  summary: "Create a dry-run bulk erasure batch from a CSV (mxid, or medium,address) and print per-row results (needs erasure.request).",
  options: {
    file: { type: "string", description: "The CSV file (UTF-8)." },
    reason: { type: "string", description: "own_request | account_deactivated (default) | under_16." },
    request: { type: "string", description: "Optional request reference or id." },
    ...operatorOption,
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "erasure.request");
    const file = required(values, "file");
    if (!fs.existsSync(file)) throw new UsageError(`No file ${file}.`);
    const requestId = values.request ? await requestIdFromRef(values.request as string) : null;
    const r = await createBulkBatch(
      { fileName: path.basename(file), content: fs.readFileSync(file), reason: (values.reason as string) || "account_deactivated", requestId, createdBy: actor },
      { awaitDryRun: true, onProgress: (p) => console.error(`dry run: ${p.done}/${p.total}`) },
    );
    if (!r.ok) {
      printJson({ ok: false, error: r.message });
      return 1;
    }
    const view = await getBatch(r.batchId);
    const rows = await pageBatchRows(r.batchId, r.kind, { page: 1, pageSize: r.totalRows });
    printJson({
      ok: true, batchId: r.batchId, state: view?.batch.state, kind: r.kind, totalRows: r.totalRows, validRows: r.validRows,
      rejectedRows: r.rejectedRows, lines: r.lines, blankLinesAtEnd: r.blankLinesAtEnd, warnings: r.warnings, counts: view?.counts,
      rows: rows.rows.map((x) => ({ row: x.rowNo, subject: x.masked, status: x.status, message: x.message })),
    });
    return 0;
  },
});
