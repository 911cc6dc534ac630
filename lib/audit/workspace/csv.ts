import { csvHeader, csvRows, toSafeCsv, type CsvColumn } from "@/lib/csv";
import type { AccessLogEntry } from "@/lib/generated/console/client";
import { ACCESS_LOG_CSV_COLUMNS } from "@/lib/audit/export";
import type { Sample, SampledRequest } from "@/lib/audit/workspace/sample";
import { iterateRequestTrail, REQUEST_MATCH_LABEL, SUBJECT_MATCH_LABEL, type TrailMatch, type TrailScope } from "@/lib/audit/workspace/trail";

// The workspace's tables as CSV, through lib/csv.ts (formula-neutralised cells, CRLF): the
// sample (no personal data: reference, type, state, dates) and a request's trail (every field of
// each entry, as the access-log export, plus why the entry is in the trail), streamed a page at a
// time up to a fixed seq. Both routes log the export before sending anything.

export function sampleCsv(s: Sample): string {
  const columns: CsvColumn<SampledRequest>[] = [
    { header: "seed", value: () => s.seed },
    { header: "n", value: () => s.n },
    { header: "cutoff", value: () => s.cutoff },
    { header: "reference", value: (r) => r.reference },
    { header: "requestId", value: (r) => r.id },
    { header: "type", value: (r) => r.type },
    { header: "state", value: (r) => r.state },
    { header: "receivedAt", value: (r) => r.receivedAt },
    { header: "closedAt", value: (r) => r.closedAt },
  ];
  return toSafeCsv(s.requests, columns);
}

export const sampleCsvFilename = (s: Pick<Sample, "seed" | "n" | "cutoff">) => `audit-sample-${s.seed}-${s.n}-${s.cutoff.replace(/[:.]/g, "")}.csv`;

type TrailCsvRow = AccessLogEntry & { match: TrailMatch };
export const TRAIL_CSV_COLUMNS: CsvColumn<TrailCsvRow>[] = [
  ...(ACCESS_LOG_CSV_COLUMNS as CsvColumn<TrailCsvRow>[]),
  { header: "match", value: (r) => (r.match === "subject" ? SUBJECT_MATCH_LABEL : REQUEST_MATCH_LABEL) },
];

export function trailCsvStream(scope: TrailScope, o: { upToSeq: number; pageSize?: number }): ReadableStream<Uint8Array> {
  const pages = iterateRequestTrail(scope, o);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvHeader(TRAIL_CSV_COLUMNS)));
    },
    async pull(controller) {
      const next = await pages.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(csvRows(next.value, TRAIL_CSV_COLUMNS)));
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
}

export const trailCsvFilename = (reference: string, now = new Date()) => `audit-trail-${reference.replace(/[^\w.-]/g, "_")}-${now.toISOString().slice(0, 10)}.csv`;
