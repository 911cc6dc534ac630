// Sydent's client API (the public lookup endpoints), as erasure verification asks it: v1 lookup,
// v1 bulk_lookup, v2 hash_details / lookup with a v2 account token, and the v2 account set-up
// (register with a homeserver's OpenID token, accept the terms). Every call returns what Sydent
// actually answered (status code or "no answer", time taken) instead of throwing: the caller
// records the answer and treats anything but a 2xx as a failed check.

export type SydentCall<T> = {
  /** HTTP status; null when Sydent gave no answer (timeout, refused, reset). */
  status: number | null;
  error?: "timeout" | "unreachable" | "not_json";
  ms: number;
  body?: T;
  /** Sydent's errcode on an error answer (e.g. M_TERMS_NOT_SIGNED), never personal data. */
  errcode?: string;
};

export const DEFAULT_CLIENT_TIMEOUT_MS = 10_000;

export async function callSydent<T>(
  baseUrl: string,
  path: string,
  o: { method?: "GET" | "POST"; body?: unknown; token?: string; timeoutMs?: number } = {},
): Promise<SydentCall<T>> {
  const url = new URL(path, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`).toString();
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  let res: Response;
  try {
    res = await fetch(url, {
      method: o.method ?? (o.body === undefined ? "GET" : "POST"),
      headers: { ...(o.body === undefined ? {} : { "content-type": "application/json" }), ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
      signal: AbortSignal.timeout(o.timeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS),
      redirect: "error",
    });
  } catch (e) {
    const err = e as Error;
    return { status: null, error: err.name === "TimeoutError" || err.name === "AbortError" ? "timeout" : "unreachable", ms: ms() };
  }
  let text: string;
  try {
    text = await res.text();
  } catch {
    return { status: res.status, error: "unreachable", ms: ms() };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { status: res.status, error: "not_json", ms: ms() };
  }
  const errcode = !res.ok && body && typeof body === "object" && typeof (body as { errcode?: unknown }).errcode === "string" ? (body as { errcode: string }).errcode : undefined;
  return { status: res.status, ms: ms(), body: body as T, ...(errcode ? { errcode } : {}) };
}

export const ok2xx = (c: SydentCall<unknown>) => c.status !== null && c.status >= 200 && c.status < 300 && !c.error;

/** GET /_matrix/identity/api/v1/lookup: `{}` when unbound, else a signed association. */
export function v1Lookup(base: string, medium: string, address: string, timeoutMs?: number) {
  const q = new URLSearchParams({ medium, address }).toString();
  return callSydent<{ mxid?: string }>(base, `_matrix/identity/api/v1/lookup?${q}`, { timeoutMs });
}

/** POST /_matrix/identity/api/v1/bulk_lookup: `{threepids: [[medium, address, mxid], ...]}` for the bound ones. */
export function bulkLookup(base: string, threepids: [string, string][], timeoutMs?: number) {
  return callSydent<{ threepids?: [string, string, string][] }>(base, "_matrix/identity/api/v1/bulk_lookup", { body: { threepids }, timeoutMs });
}

/** GET /_matrix/identity/v2/hash_details: the server's current pepper and algorithms. */
export function hashDetails(base: string, token: string, timeoutMs?: number) {
  return callSydent<{ lookup_pepper?: string; algorithms?: string[] }>(base, "_matrix/identity/v2/hash_details", { token, timeoutMs });
}

/** POST /_matrix/identity/v2/lookup with sha256 hashes: `{mappings: {hash: mxid}}` for the bound ones. */
export function v2Lookup(base: string, token: string, pepper: string, hashes: string[], timeoutMs?: number) {
  return callSydent<{ mappings?: Record<string, string> }>(base, "_matrix/identity/v2/lookup", { body: { addresses: hashes, algorithm: "sha256", pepper }, token, timeoutMs });
}

/** POST /_matrix/identity/v2/account/register with a homeserver's OpenID token: a v2 token. */
export function registerAccount(base: string, openidToken: string, homeserver: string, timeoutMs?: number) {
  return callSydent<{ token?: string; access_token?: string }>(base, "_matrix/identity/v2/account/register", {
    body: { access_token: openidToken, matrix_server_name: homeserver, token_type: "Bearer", expires_in: 3600 },
    timeoutMs,
  });
}

type TermsDoc = { policies?: Record<string, Record<string, unknown>> };

/** Accepts every policy URL Sydent's /v2/terms lists (none when the server has no terms); `accepted` = how many. */
export async function acceptAllTerms(base: string, token: string, timeoutMs?: number): Promise<SydentCall<unknown> & { accepted: number }> {
  const terms = await callSydent<TermsDoc>(base, "_matrix/identity/v2/terms", { token, timeoutMs });
  if (!ok2xx(terms)) return { ...terms, accepted: 0 };
  const urls = [...new Set(Object.values(terms.body?.policies ?? {}).flatMap((doc) => Object.values(doc).flatMap((lang) => (lang && typeof lang === "object" && typeof (lang as { url?: unknown }).url === "string" ? [(lang as { url: string }).url] : []))))].sort();
  if (!urls.length) return { ...terms, accepted: 0 };
  return { ...(await callSydent(base, "_matrix/identity/v2/terms", { body: { user_accepts: urls }, token, timeoutMs })), accepted: urls.length };
}
