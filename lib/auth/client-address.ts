// The client's address for throttling and the access log. Behind a trusted reverse proxy
// (CUSTODIAN_TRUST_PROXY=true) it is the last X-Forwarded-For hop, the one our proxy appended;
// earlier hops are client-supplied and could be forged. Otherwise Next.js route handlers do not
// expose the socket address, so it is "unknown" (and address throttling is skipped; see sign-in.ts).

export const UNKNOWN_ADDRESS = "unknown";

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(h: HeaderSource, name: string): string | undefined {
  if (h instanceof Headers) return h.get(name) ?? undefined;
  const v = h[name] ?? h[name.toLowerCase()];
  return Array.isArray(v) ? v.join(",") : v;
}

export function clientAddress(h: HeaderSource, trustProxy: boolean): string {
  if (!trustProxy) return UNKNOWN_ADDRESS;
  const hops = (header(h, "x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const last = hops.at(-1) ?? header(h, "x-real-ip")?.trim();
  return last ? last.slice(0, 64) : UNKNOWN_ADDRESS;
}

export function userAgentOf(h: HeaderSource): string | null {
  return header(h, "user-agent")?.slice(0, 512) ?? null;
}
