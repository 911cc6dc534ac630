import dns from "node:dns/promises";
import net from "node:net";
import { z } from "zod";

// Sydent's HTTP endpoints of a registered server. The internal API (bind/unbind) has no
// authentication, so its URL must name a loopback or private address: a public one is refused at
// registration (literal IPs here, host names after resolving them in internalUrlProblem()).
// API: apiUrlSchema(what), isPrivateOrLoopback(ip), internalUrlProblem(url), probeSydent(url, kind).

/** http(s) base URL, no credentials, query or fragment; trailing "/" removed. Empty -> null. */
export const apiUrlSchema = (what: string) =>
  z
    .string()
    .trim()
    .max(512, "At most 512 characters.")
    .optional()
    .transform((v) => v ?? "")
    .superRefine((v, ctx) => {
      if (!v) return;
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        return ctx.addIssue({ code: "custom", message: `Enter the ${what} as a URL, e.g. http://127.0.0.1:8091.` });
      }
      if (u.protocol !== "http:" && u.protocol !== "https:") ctx.addIssue({ code: "custom", message: `The ${what} must start with http:// or https://.` });
      else if (u.username || u.password) ctx.addIssue({ code: "custom", message: `The ${what} cannot contain a user name or password.` });
      else if (u.search || u.hash) ctx.addIssue({ code: "custom", message: `The ${what} cannot contain a query or fragment.` });
    })
    .transform((v) => (v ? v.replace(/\/+$/, "") : null));

const V4_PRIVATE: [string, number][] = [["127.0.0.0", 8], ["10.0.0.0", 8], ["172.16.0.0", 12], ["192.168.0.0", 16], ["169.254.0.0", 16], ["100.64.0.0", 10]];

function v4ToInt(ip: string): number {
  return ip.split(".").reduce((n, p) => (n << 8) + Number(p), 0) >>> 0;
}

/** Loopback, RFC 1918, carrier-grade NAT, link-local; IPv6 ::1, fc00::/7, fe80::/10, v4-mapped private. */
export function isPrivateOrLoopback(ip: string): boolean {
  if (net.isIPv4(ip)) {
    const n = v4ToInt(ip);
    return V4_PRIVATE.some(([base, bits]) => (n >>> (32 - bits)) === (v4ToInt(base) >>> (32 - bits)));
  }
  if (net.isIPv6(ip)) {
    const x = ip.toLowerCase();
    if (x === "::1") return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(x);
    if (mapped) return isPrivateOrLoopback(mapped[1]);
    const first = parseInt(x.split(":")[0] || "0", 16);
    return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
  }
  return false;
}

/** Why this internal API URL is refused (a public address, or a host that does not resolve), or null. */
export async function internalUrlProblem(url: string): Promise<string | null> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await dns.lookup(host, { all: true })).map((a) => a.address);
    } catch {
      return `The internal API's host ${host} does not resolve; use a loopback or private address.`;
    }
  }
  const pub = addresses.filter((a) => !isPrivateOrLoopback(a));
  if (pub.length) {
    return `Refused: the internal API has no authentication and ${host === pub[0] ? pub[0] : `${host} resolves to ${pub[0]}, which`} is a public address. Bind Sydent's internal API to loopback or a private address (e.g. http://127.0.0.1:8091).`;
  }
  return null;
}

export type ProbeResult = { answers: boolean; status?: number; error?: string };

/** Does Sydent answer at this base URL? Any HTTP answer counts (client: GET /_matrix/identity/v2). */
export async function probeSydent(url: string, kind: "client" | "internal", timeoutMs = 2000): Promise<ProbeResult> {
  const path = kind === "client" ? "_matrix/identity/v2" : "_matrix/identity/internal/unbind";
  try {
    const res = await fetch(new URL(path, `${url}/`), { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    await res.arrayBuffer().catch(() => undefined);
    return { answers: true, status: res.status };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    if (err.name === "TimeoutError" || err.name === "AbortError") return { answers: false, error: `no answer within ${timeoutMs} ms` };
    return { answers: false, error: err.cause?.code ?? err.message };
  }
}
