import { holdsIpAddress, requestTarget, sydentLogger, type LogSource } from "@/lib/logs/parse";
import type { RetentionClass, RetentionPolicy } from "@/lib/logs/retention";
import { lineTimeMs } from "@/lib/retention/line-time";

// Dates the lines of one file in order, the same way for the audit and for enforcement: a line
// with its own timestamp starts a record; a line without one (a traceback, a wrapped message)
// belongs to the record before it; lines before the first record are undated (null). One dater
// per file.
//
// The class is lib/logs/retention.ts's lineClass (the shortest period among the promises that
// apply), computed in the same order but checking for an IP address only when "connection" could
// win, i.e. when its period is shorter than the other classes that apply (never with the notice's
// defaults): the IP regexes are the costliest part of reading a line.

export type DatedLine = { at: number; cls: RetentionClass };

const LOOKUP_PATH = /^\/_matrix\/identity\/(?:api\/v1\/(?:lookup|bulk_lookup)|v2\/lookup)(?:[?#/]|$)/;
const LOOKUP_LOGGERS = new Set(["sydent.http.servlets.lookupservlet", "sydent.http.servlets.bulklookupservlet", "sydent.http.servlets.lookupv2servlet"]);

export function fastLineClass(policy: RetentionPolicy, source: LogSource, line: string): RetentionClass {
  const p = policy.periodDays;
  let best: RetentionClass;
  if (source === "haproxy") best = "haproxy";
  else {
    const logger = sydentLogger(line);
    const target = logger === "twisted" ? requestTarget(line) : null;
    const lookup = (target && LOOKUP_PATH.test(target)) || (logger && LOOKUP_LOGGERS.has(logger));
    best = lookup && p.lookup <= p.application ? "lookup" : "application";
  }
  if (p.connection < p[best] && holdsIpAddress(line)) best = "connection";
  return best;
}

export function lineDater(source: LogSource, policy: RetentionPolicy): (text: string) => DatedLine | null {
  let rec: DatedLine | null = null;
  return (text) => {
    const t = lineTimeMs(source, text);
    if (t !== null) rec = { at: t, cls: fastLineClass(policy, source, text) };
    return rec;
  };
}
