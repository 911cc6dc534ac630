// Line formats, copied from the real files in shared/fixtures/sydent-real (sydent.md section 3):
// - Sydent: Python logging "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(message)s",
//   asctime "YYYY-MM-DD HH:MM:SS,mmm"; Twisted's access log goes through logger "twisted" (line
//   147) in the combined format, with the TCP peer's address (HAProxy's, behind the proxy).
// - HAProxy "option httplog" as written by rsyslog's RSYSLOG_FileFormat (RFC 3339, microseconds).

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export function sydentAsctime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())},${pad(d.getUTCMilliseconds(), 3)}`;
}

/** Apache/Twisted CLF date: 27/Nov/2026:14:12:06 (+ optional .mmm for HAProxy's accept date). */
export function clfDate(ms: number, withMs = false): string {
  const d = new Date(ms);
  const base = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return withMs ? `${base}.${pad(d.getUTCMilliseconds(), 3)}` : base;
}

export type Level = "INFO" | "WARNING" | "ERROR" | "CRITICAL";

export function sydentLine(ms: number, logger: string, lineno: number, level: Level, message: string): string {
  return `${sydentAsctime(ms)} - ${logger} - ${lineno} - ${level} - ${message}`;
}

export type Access = {
  /** When Twisted logged the finished request. */
  ms: number;
  /** Twisted's cached date string lags by up to a second. */
  bracketMs: number;
  peerIp: string;
  method: "GET" | "POST";
  uri: string;
  status: number;
  bytes: number;
  ua: string;
  httpVersion?: string;
};

export function twistedAccessLine(a: Access): string {
  const msg = `"${a.peerIp}" - - [${clfDate(a.bracketMs)} +0000] "${a.method} ${a.uri} ${a.httpVersion ?? "HTTP/1.1"}" ${a.status} ${a.bytes} "-" "${a.ua}"`;
  return sydentLine(a.ms, "twisted", 147, "INFO", msg);
}

export function rsyslogTime(ms: number, micros: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}${pad(micros, 3)}+00:00`;
}

export type HaproxyRequest = {
  /** When rsyslog wrote the line (end of the response). */
  ms: number;
  micros: number;
  host: string;
  pid: number;
  clientIp: string;
  clientPort: number;
  acceptMs: number;
  backend: string;
  server: string;
  /** %TR/%Tw/%Tc/%Tr/%Ta */
  timers: [number, number, number, number, number];
  status: number;
  bytes: number;
  conns: [number, number, number, number, number];
  capturedHost: string;
  ua: string;
  requestLine: string;
};

export function haproxyLine(h: HaproxyRequest): string {
  return (
    `${rsyslogTime(h.ms, h.micros)} ${h.host} haproxy[${h.pid}]: ${h.clientIp}:${h.clientPort} [${clfDate(h.acceptMs, true)}] ` +
    `fe_identity~ ${h.backend}/${h.server} ${h.timers.join("/")} ${h.status} ${h.bytes} - - ---- ${h.conns.join("/")} 0/0 ` +
    `{${h.capturedHost}|${h.ua}} "${h.requestLine}"`
  );
}

/** Python's urllib quoting as Twisted logs it: '@' and '+' percent-encoded. */
export function urlEncodeQueryValue(v: string): string {
  return encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
