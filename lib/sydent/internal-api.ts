// Sydent's internal API (`/_matrix/identity/internal/bind` and `/unbind`): writes that run inside
// the Sydent process, on its own SQLite connection, exactly as Sydent's own binds and unbinds do
// (tombstone, global delete, replication push, `onbind`). Writing through it is what keeps a live
// Sydent from failing its own writes (domain/sydent.md section 1, "Observed with two live Sydent").
// Registration restricts the URL to loopback or private addresses (the API has no authentication).

export type SydentApiErrorKind = "unreachable" | "timeout" | "http";

export class SydentApiError extends Error {
  constructor(
    readonly kind: SydentApiErrorKind,
    message: string,
    readonly status?: number,
    readonly body?: string,
  ) {
    super(message);
    this.name = "SydentApiError";
  }
}

export type ThreepidBinding = { medium: "email" | "msisdn"; address: string; mxid: string };

/** Sydent's signed association as returned by internal bind (and served by v1 lookup). */
export type SignedAssociation = {
  medium: string;
  address: string;
  mxid: string;
  not_before: number;
  not_after: number;
  ts: number;
  signatures?: Record<string, Record<string, string>>;
  invites?: unknown[];
  [key: string]: unknown;
};

const DEFAULT_TIMEOUT_MS = 10_000;

/** POSTs JSON to a Sydent endpoint; throws SydentApiError (unreachable, timeout, non-2xx). */
export async function postSydentJson<T>(baseUrl: string, path: string, body: unknown, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
  const url = new URL(path, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`).toString();
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "error",
    });
  } catch (e) {
    const err = e as Error;
    if (err.name === "TimeoutError" || err.name === "AbortError") {
      throw new SydentApiError("timeout", `Sydent at ${baseUrl} did not answer ${path} within ${timeoutMs} ms.`);
    }
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new SydentApiError("unreachable", `Sydent at ${baseUrl} could not be reached (${cause?.code ?? cause?.message ?? err.message}).`);
  }
  const text = await res.text();
  if (!res.ok) {
    throw new SydentApiError("http", `Sydent answered ${path} with HTTP ${res.status}: ${text.slice(0, 300)}`, res.status, text);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new SydentApiError("http", `Sydent answered ${path} with HTTP ${res.status} but not JSON.`, res.status, text);
  }
}

/** Sydent's own unbind: tombstone + global delete on this (origin) server; peers learn by push. */
export async function internalUnbind(internalApiUrl: string, binding: ThreepidBinding, timeoutMs?: number): Promise<void> {
  await postSydentJson<Record<string, never>>(internalApiUrl, "_matrix/identity/internal/unbind", binding, timeoutMs);
}

/** Sydent's own bind: a freshly signed association for (medium, address) → mxid on this server. */
export async function internalBind(internalApiUrl: string, binding: ThreepidBinding, timeoutMs?: number): Promise<SignedAssociation> {
  return postSydentJson<SignedAssociation>(internalApiUrl, "_matrix/identity/internal/bind", binding, timeoutMs);
}
