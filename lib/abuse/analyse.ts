import ipaddr from "ipaddr.js";
import { findLogFiles, type ServerLogConfig } from "@/lib/logs/files";
import { parseHaproxyTime, parseSydentTime, requestTarget } from "@/lib/logs/parse";
import { readLogLines } from "@/lib/logs/read-lines";
import { casefold } from "@/lib/sydent/normalise";

// The abuse view's numbers, from the registered HAProxy and Sydent logs (plain and gzipped,
// streamed line by line): who sends which kind of request most, Sydent's own rate-limit hits, the
// 3PIDs and e-mail domains receiving most validation mails/texts, the homeservers sending most
// invites. Behind HAProxy, Sydent's access lines carry HAProxy's address, so client addresses come
// from HAProxy's lines only (sydent.md section 3).

export const REQUEST_KINDS = ["lookup", "bulk_lookup", "request_token_email", "request_token_msisdn", "bind", "store_invite", "register"] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export const CATEGORIES = ["source", "network", "ratelimit", "threepid", "domain", "homeserver"] as const;
export type Category = (typeof CATEGORIES)[number];

export type AbuseRow = {
  category: Category;
  /** Request kind for sources and networks; the rate-limit message or the medium otherwise. */
  kind: string;
  key: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
};

export type Analysis = { rows: AbuseRow[]; filesRead: number; linesRead: number; problems: number; series: Map<string, Map<number, number>> };

/** Which of the watched request kinds a request target is, or null. */
export function requestKind(method: string, target: string): RequestKind | null {
  const p = target.split("?")[0];
  if (p.endsWith("/bulk_lookup")) return "bulk_lookup";
  if (p.endsWith("/lookup")) return "lookup";
  if (p.endsWith("/validate/email/requestToken")) return "request_token_email";
  if (p.endsWith("/validate/msisdn/requestToken")) return "request_token_msisdn";
  if (p.endsWith("/3pid/bind")) return "bind";
  if (p.endsWith("/store-invite")) return "store_invite";
  if (p.endsWith("/account/register") && method === "POST") return "register";
  return null;
}

const HAPROXY_CLIENT = /haproxy\[\d+\]: (\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]+):\d+ \[/;
const METHOD = /"([A-Z]+) /;

/** The /24 (IPv4) or /48 (IPv6) network an address belongs to. */
export function networkOf(ip: string): string {
  const a = ipaddr.parse(ip);
  const bits = a.kind() === "ipv4" ? 24 : 48;
  const net = a.kind() === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(`${a.toString()}/${bits}`) : ipaddr.IPv6.networkAddressFromCIDR(`${a.toString()}/${bits}`);
  return `${net.toString()}/${bits}`;
}

const RATELIMIT = / - WARNING - Ratelimit hit: (.*): (\S+)\s*$/;
const MAIL = / - INFO - Attempting to mail code \S+ \(nextLink: .*\) to (\S+)\s*$/;
const TEXT = / - INFO - Attempting to text code \S+ to (\d+) \(country/;
const INVITE = / - INFO - Store invite request from (@[^ ]+) to /;

const HOUR = 3_600_000;

export async function analyseLogs(servers: ServerLogConfig[], window: { from: Date; to: Date }): Promise<Analysis> {
  const from = window.from.getTime();
  const to = window.to.getTime();
  const rows = new Map<string, AbuseRow>();
  const series = new Map<string, Map<number, number>>();
  const bump = (category: Category, kind: string, key: string, t: number) => {
    const id = `${category}\0${kind}\0${key}`;
    const r = rows.get(id);
    if (r) {
      r.count++;
      r.firstSeen = Math.min(r.firstSeen, t);
      r.lastSeen = Math.max(r.lastSeen, t);
    } else rows.set(id, { category, kind, key, count: 1, firstSeen: t, lastSeen: t });
  };
  const files = await findLogFiles(servers);
  let linesRead = 0;
  let problems = 0;
  let filesRead = 0;
  for (const f of files) {
    if (f.problem) {
      problems++;
      continue;
    }
    filesRead++;
    const r = await readLogLines(f.path, {
      gzipByName: f.gzip,
      onLine(line) {
        linesRead++;
        if (f.source === "haproxy") {
          const t = parseHaproxyTime(line)?.getTime();
          if (t === undefined || t < from || t >= to) return;
          const client = HAPROXY_CLIENT.exec(line)?.[1]?.replace(/^\[|\]$/g, "");
          const target = requestTarget(line);
          if (!client || !target || !ipaddr.isValid(client)) return;
          const kind = requestKind(METHOD.exec(line)?.[1] ?? "GET", target);
          const ip = ipaddr.process(client).toString();
          const s = series.get(ip) ?? new Map<number, number>();
          const bucket = Math.floor(t / HOUR) * HOUR;
          s.set(bucket, (s.get(bucket) ?? 0) + 1);
          series.set(ip, s);
          bump("source", "any", ip, t);
          if (!kind) return;
          bump("source", kind, ip, t);
          bump("network", kind, networkOf(ip), t);
          return;
        }
        const t = parseSydentTime(line)?.getTime();
        if (t === undefined || t < from || t >= to) return;
        let m = RATELIMIT.exec(line);
        if (m) return bump("ratelimit", m[1], m[2], t);
        if ((m = MAIL.exec(line))) {
          const address = casefold(m[1]);
          bump("threepid", "email", address, t);
          return bump("domain", "email", address.slice(address.lastIndexOf("@") + 1), t);
        }
        if ((m = TEXT.exec(line))) return bump("threepid", "msisdn", m[1], t);
        if ((m = INVITE.exec(line))) return bump("homeserver", "store_invite", m[1].slice(m[1].indexOf(":") + 1).toLowerCase(), t);
      },
    });
    problems += r.problems.length;
  }
  return { rows: [...rows.values()], filesRead, linesRead, problems, series };
}
