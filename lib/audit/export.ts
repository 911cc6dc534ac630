import { csvHeader, csvRows, type CsvColumn } from "@/lib/csv";
import type { AccessLogEntry } from "@/lib/generated/console/client";
import { iterateAccessLogEntries } from "@/lib/audit/queries";
import type { AccessLogFilter } from "@/lib/audit/schemas";

// The access log as CSV: every field of every matching entry, in seq order, up to a fixed seq
// (the head when the export started, so the export's own log entry and later ones are not in
// it). Streamed page by page, so memory stays flat however many entries match. Cells are
// formula-neutralised (lib/csv.ts): a cell shown with a leading apostrophe had one added, so to
// re-verify hashes use `npm run cli -- audit:verify` on the database, not this file.

export const ACCESS_LOG_CSV_COLUMNS: CsvColumn<AccessLogEntry>[] = [
  { header: "seq", value: (r) => r.seq },
  { header: "at", value: (r) => r.at },
  { header: "actorId", value: (r) => r.actorId },
  { header: "actorLabel", value: (r) => r.actorLabel },
  { header: "actorRole", value: (r) => r.actorRole },
  { header: "action", value: (r) => r.action },
  { header: "targetType", value: (r) => r.targetType },
  { header: "targetPseudonym", value: (r) => r.targetPseudonym },
  { header: "targetRef", value: (r) => r.targetRef },
  { header: "requestId", value: (r) => r.requestId },
  { header: "purpose", value: (r) => r.purpose },
  { header: "outcome", value: (r) => r.outcome },
  { header: "ip", value: (r) => r.ip },
  { header: "userAgent", value: (r) => r.userAgent },
  { header: "details", value: (r) => r.details },
  { header: "prevHash", value: (r) => r.prevHash },
  { header: "hash", value: (r) => r.hash },
];

export function accessLogCsvStream(o: { filter: AccessLogFilter; maxSeq: number; pageSize?: number }): ReadableStream<Uint8Array> {
  const pages = iterateAccessLogEntries(o);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvHeader(ACCESS_LOG_CSV_COLUMNS)));
    },
    async pull(controller) {
      const next = await pages.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(csvRows(next.value, ACCESS_LOG_CSV_COLUMNS)));
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
}

export function accessLogCsvFilename(now = new Date()): string {
  return `custodian-access-log-${now.toISOString().slice(0, 10)}.csv`;
}
