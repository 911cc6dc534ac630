import { decryptSecret } from "@/lib/keys";
import { threepidsOf, type SubjectIds } from "@/lib/erasure/verify";
import { bulkLookup, hashDetails, ok2xx, v1Lookup, v2Lookup, type SydentCall } from "@/lib/sydent/client-api";
import { lookupHash } from "@/lib/sydent/lookup-hash";
import { casefold } from "@/lib/sydent/normalise";

// Erasure verification through Sydent itself (issue 7, item 4): beside the SQL check of the file,
// ask the running server the questions the public asks: v1 lookup (one GET per 3PID), v1
// bulk_lookup, and v2 lookup (sha256 with the pepper Sydent serves now on /v2/hash_details,
// through the v2 account token registered for the server). Batched: one call of this covers many
// subjects (bulk and v2 lookups in chunks of CHUNK 3PIDs, v1 GETs V1_CONCURRENCY at a time).
// Each subject gets Sydent's actual answers: per check the status code of every request that
// covered it (null = no answer: timeout or refused) and how many of its 3PIDs were found. Any
// non-2xx, no answer, or a 3PID found is a failed verification. No personal data is recorded.
// Note: a v1 lookup is a GET, so Sydent's access log records the address it asked for (domain
// notes, section 3); log retention / phase-2 log scrubbing covers those lines like any lookup's.

export type SydentCheckKind = "v1" | "bulk" | "hash_details" | "v2";
export type SydentAnswer = {
  check: SydentCheckKind;
  /** Status code of every request that covered this subject (null: no answer). */
  statuses: (number | null)[];
  errors?: string[];
  /** How many of the subject's 3PIDs Sydent still answered for. */
  found: number;
  asked: number;
  slowestMs: number;
};
export type SydentCheck = {
  ok: boolean;
  /** The client API base URL asked (a server address, no personal data). */
  url: string;
  answers: SydentAnswer[];
  /** "no_token": no v2 account token registered for this server, so v2 lookups were not asked. */
  v2: "checked" | "no_token";
  /** Plain-language reasons the check failed (counts and codes only). */
  problems: string[];
};
export type SydentTarget = { label: string; clientApiUrl: string; sydentTokenEnc?: string | null };
export type SydentVerifyOptions = { timeoutMs?: number; chunk?: number; v1Concurrency?: number };

export const CHUNK = 200;
export const V1_CONCURRENCY = 4;

const key = (medium: string, address: string) => `${medium}:${medium === "email" ? casefold(address) : address}`;
const describe = (c: SydentCall<unknown>) => (c.status === null ? c.error ?? "no answer" : c.error ? `HTTP ${c.status} (${c.error})` : `HTTP ${c.status}${c.errcode ? ` ${c.errcode}` : ""}`);

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

/** Asks one server's Sydent about every subject's 3PIDs; one SydentCheck per subject, in order. */
export async function verifyThroughSydent(target: SydentTarget, subjects: SubjectIds[], o: SydentVerifyOptions = {}): Promise<SydentCheck[]> {
  const base = target.clientApiUrl;
  const chunk = o.chunk ?? CHUNK;
  const per = subjects.map((s) => threepidsOf(s));
  const answers = per.map(() => new Map<SydentCheckKind, SydentAnswer>());
  const note = (i: number, check: SydentCheckKind, c: SydentCall<unknown>, found: number, asked: number, problem?: string) => {
    const a = answers[i].get(check) ?? { check, statuses: [], found: 0, asked: 0, slowestMs: 0 };
    a.statuses.push(c.status);
    if (!ok2xx(c)) (a.errors ??= []).push(describe(c));
    else if (problem) (a.errors ??= []).push(problem);
    a.found += found;
    a.asked += asked;
    a.slowestMs = Math.max(a.slowestMs, c.ms);
    answers[i].set(check, a);
  };
  // Every (subject, 3PID) once, deduplicated by normalised key within a subject.
  const all: { i: number; medium: string; address: string; k: string }[] = [];
  per.forEach((tps, i) => {
    const seen = new Set<string>();
    for (const t of tps) {
      const k = key(t.medium, t.address);
      if (!seen.has(k)) seen.add(k), all.push({ i, medium: t.medium, address: t.address, k });
    }
  });

  await pool(all, o.v1Concurrency ?? V1_CONCURRENCY, async (t) => {
    const c = await v1Lookup(base, t.medium, t.address, o.timeoutMs);
    note(t.i, "v1", c, ok2xx(c) && c.body && typeof c.body.mxid === "string" ? 1 : 0, 1);
  });

  for (let s = 0; s < all.length; s += chunk) {
    const part = all.slice(s, s + chunk);
    const c = await bulkLookup(base, part.map((t) => [t.medium, t.address]), o.timeoutMs);
    const hit = new Set((ok2xx(c) ? c.body?.threepids ?? [] : []).map(([m, a]) => key(m, a)));
    for (const t of part) note(t.i, "bulk", c, hit.has(t.k) ? 1 : 0, 1);
  }

  let v2: SydentCheck["v2"] = "no_token";
  const token = target.sydentTokenEnc ? decryptSecret(target.sydentTokenEnc, "sydent-token-v1") : null;
  if (token && all.length) {
    v2 = "checked";
    const hd = await hashDetails(base, token, o.timeoutMs);
    const pepper = ok2xx(hd) && hd.body?.algorithms?.includes("sha256") ? hd.body.lookup_pepper : undefined;
    for (const t of all) note(t.i, "hash_details", hd, 0, 0, pepper ? undefined : "no sha256 pepper offered");
    if (pepper) {
      for (let s = 0; s < all.length; s += chunk) {
        const part = all.slice(s, s + chunk).map((t) => ({ ...t, h: lookupHash(t.medium as "email", t.address, pepper) }));
        const c = await v2Lookup(base, token, pepper, [...new Set(part.map((t) => t.h))], o.timeoutMs);
        const mapped = ok2xx(c) ? c.body?.mappings ?? {} : {};
        for (const t of part) note(t.i, "v2", c, t.h in mapped ? 1 : 0, 1);
      }
    }
  }

  return per.map((_, i) => {
    const list = [...answers[i].values()];
    const problems: string[] = [];
    for (const a of list) {
      if (a.errors?.length) problems.push(`${a.check}: ${[...new Set(a.errors)].join(", ")}`);
      if (a.found) problems.push(`${a.check}: Sydent still answers for ${a.found} of ${a.asked} identifier(s)`);
    }
    return { ok: problems.length === 0, url: base, answers: list, v2, problems };
  });
}
