// Line timestamps and the few line facts retention needs, for the two log formats Custodian reads
// (shared/domain/sydent.md section 3; formats checked against shared/fixtures/sydent-real):
//
// - Sydent: Python logging "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(message)s",
//   asctime "2026-11-27 13:12:06,757" (the server's local time, no offset: read as UTC). Twisted's
//   access log arrives as logger "twisted" in the combined format with its own CLF date
//   "[27/Nov/2026:13:12:06 +0000]"; the record's asctime is the line's time.
// - HAProxy "option httplog" through rsyslog. Debian's default RSYSLOG_FileFormat starts with an
//   RFC 3339 stamp "2026-11-27T14:11:55.835099+00:00 lb-dev-01 haproxy[903]: ..."; the older
//   RSYSLOG_TraditionalFileFormat starts "Nov 27 14:11:55 lb-dev-01 haproxy[903]: ..." (no year),
//   in which case the HAProxy accept date "[27/Nov/2026:13:12:06.655]" inside the line is used.
// Times without an offset are UTC; an explicit offset is applied.

const MONTHS: Record<string, number> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMin = 0): Date | null {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || ms > 999) return null;
  const t = Date.UTC(y, mo, d, h, mi, s, ms) - offsetMin * 60_000;
  return Number.isFinite(t) ? new Date(t) : null;
}

/** "+05:30", "-0800", "Z" -> minutes east of UTC. */
function offsetMinutes(off: string | undefined): number {
  if (!off || off === "Z" || off === "z") return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(off);
  if (!m) return 0;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** First digits of a fraction as milliseconds ("835099" -> 835). */
const fracMs = (f: string | undefined) => (f ? Number(f.slice(0, 3).padEnd(3, "0")) : 0);

const SYDENT_TS = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[,.](\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?(?= |$)/;

/** Sydent's asctime at the start of a record; null for continuation lines (tracebacks). */
export function parseSydentTime(line: string): Date | null {
  const m = SYDENT_TS.exec(line);
  if (!m) return null;
  return utc(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], fracMs(m[7]), offsetMinutes(m[8]));
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?/;
const TRADITIONAL = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) /;
const CLF = /\[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?: ([+-]\d{4}))?\]/;

/** A CLF date anywhere in the line: HAProxy's accept date or Twisted's request date. */
export function parseClfDate(line: string): Date | null {
  const m = CLF.exec(line);
  if (!m || MONTHS[m[2]] === undefined) return null;
  return utc(+m[3], MONTHS[m[2]], +m[1], +m[4], +m[5], +m[6], fracMs(m[7]), offsetMinutes(m[8]));
}

/** When rsyslog wrote an HAProxy line (falls back to the accept date for year-less stamps). */
export function parseHaproxyTime(line: string): Date | null {
  const m = RFC3339.exec(line);
  if (m) return utc(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], fracMs(m[7]), offsetMinutes(m[8]));
  if (TRADITIONAL.test(line)) return parseClfDate(line);
  return null;
}

export type LogSource = "sydent" | "haproxy";

export function parseLineTime(source: LogSource, line: string): Date | null {
  return source === "sydent" ? parseSydentTime(line) : parseHaproxyTime(line);
}

const SYDENT_LOGGER = /^\S+ \S+ - (\S+) - \d+ - [A-Z]+ - /;

/** Sydent's logger name ("twisted", "sydent.http.servlets.lookupv2servlet", ...). */
export function sydentLogger(line: string): string | null {
  return SYDENT_LOGGER.exec(line)?.[1] ?? null;
}

const REQUEST = /"(?:GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) ([^ "]+)(?: HTTP\/[\d.]+)?"/;

/** The request target of a Twisted access line or an HAProxy httplog line. */
export function requestTarget(line: string): string | null {
  return REQUEST.exec(line)?.[1] ?? null;
}

const IPV4 = /(?<![\d.])(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?![\d.]*\d)/;
const IPV6 = /(?<![0-9A-Za-z:])(?:[0-9A-Fa-f]{1,4}:){1,7}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?|(?<![0-9A-Za-z:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![0-9A-Za-z:])/;

/** Whether a line holds an IP address (connection information, privacy notice 3.2.2). */
export function holdsIpAddress(line: string): boolean {
  return IPV4.test(line) || (line.includes("::") || /(?:[0-9A-Fa-f]{1,4}:){7}/.test(line) ? IPV6.test(line) : false);
}
