// The client's address for throttling and the access log.
// - Behind a trusted reverse proxy (CUSTODIAN_TRUST_PROXY=true): the last X-Forwarded-For hop,
//   the one our proxy appended; earlier hops are client-supplied and could be forged.
// - Directly exposed (false): Next.js route handlers do not expose the socket, but `next start`
//   fills X-Forwarded-For with the socket's address when the client sent none
//   (base-server.js: `req.headers['x-forwarded-for'] ??= socket.remoteAddress`). A single hop is
//   therefore the peer address; several hops mean the client sent its own header, which cannot
//   be trusted, so the address is "unknown" (the account throttle still applies). A client can
//   still forge a single-hop header: put a reverse proxy in front in production (README).

export const UNKNOWN_ADDRESS = "unknown";

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(h: HeaderSource, name: string): string | undefined {
  if (h instanceof Headers) return h.get(name) ?? undefined;
  const v = h[name] ?? h[name.toLowerCase()];
  return Array.isArray(v) ? v.join(",") : v;
}

export function clientAddress(h: HeaderSource, trustProxy: boolean): string {
  const hops = (header(h, "x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!trustProxy) return hops.length === 1 ? hops[0].slice(0, 64) : UNKNOWN_ADDRESS;
  const last = hops.at(-1) ?? header(h, "x-real-ip")?.trim();
  return last ? last.slice(0, 64) : UNKNOWN_ADDRESS;
}

export function userAgentOf(h: HeaderSource): string | null {
  return header(h, "user-agent")?.slice(0, 512) ?? null;
}
