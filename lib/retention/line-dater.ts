import { parseLineTime, type LogSource } from "@/lib/logs/parse";
import { lineClass, type RetentionClass, type RetentionPolicy } from "@/lib/logs/retention";

// Dates the lines of one file in order, the same way for the audit and for enforcement: a line
// with its own timestamp starts a record (its class from lib/logs/retention.ts); a line without
// one (a traceback, a wrapped message) belongs to the record before it; lines before the first
// record are undated (null). One dater per file.

export type DatedLine = { at: number; cls: RetentionClass };

export function lineDater(source: LogSource, policy: RetentionPolicy): (text: string) => DatedLine | null {
  let rec: DatedLine | null = null;
  return (text) => {
    const t = parseLineTime(source, text);
    if (t) rec = { at: t.getTime(), cls: lineClass(policy, source, text) };
    return rec;
  };
}
