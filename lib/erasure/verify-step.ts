import type { SubjectIds, VerifyResult } from "@/lib/erasure/verify";
import { verifyServer } from "@/lib/erasure/verify";
import { verifyServerBatch } from "@/lib/erasure/verify-batch";
import { verifyThroughSydent, type SydentVerifyOptions } from "@/lib/erasure/verify-sydent";

// The engine's "verify" step for one server: the SQL check of its file (verify.ts) and, when the
// server's client API URL is registered, Sydent's own answers (verify-sydent.ts). The step passes
// only when both do. verifyBatch does the same for many subjects at once (bulk erasure: one scan
// of each table and batched HTTP lookups); its results are handed to the jobs' verify steps
// through RunOptions.verified (engine.ts), so each job still records its own step and receipt.

export type VerifyTarget = { id: string; label: string; dbPath: string; clientApiUrl?: string | null; sydentTokenEnc?: string | null };
/** Results computed ahead for (server, job); undefined: verify now. */
export type PrecomputedVerify = (serverId: string, jobId: string) => VerifyResult | undefined;

function withSydent(sql: VerifyResult, sydent: VerifyResult["sydent"] | undefined): VerifyResult {
  return sydent ? { ...sql, sydent, ok: sql.ok && sydent.ok } : sql;
}

export async function verifyStep(server: VerifyTarget, ids: SubjectIds, o: { nowMs?: number; jobId?: string; precomputed?: PrecomputedVerify; sydent?: SydentVerifyOptions } = {}): Promise<VerifyResult> {
  const pre = o.jobId ? o.precomputed?.(server.id, o.jobId) : undefined;
  if (pre) return pre;
  const sql = await verifyServer(server.dbPath, ids, { nowMs: o.nowMs });
  const sydent = server.clientApiUrl ? (await verifyThroughSydent({ label: server.label, clientApiUrl: server.clientApiUrl, sydentTokenEnc: server.sydentTokenEnc }, [ids], o.sydent))[0] : undefined;
  return withSydent(sql, sydent);
}

export async function verifyBatch(server: VerifyTarget, list: SubjectIds[], o: { nowMs?: number; sydent?: SydentVerifyOptions } = {}): Promise<VerifyResult[]> {
  const sql = await verifyServerBatch(server.dbPath, list, { nowMs: o.nowMs });
  const sydent = server.clientApiUrl ? await verifyThroughSydent({ label: server.label, clientApiUrl: server.clientApiUrl, sydentTokenEnc: server.sydentTokenEnc }, list, o.sydent) : undefined;
  return sql.map((r, i) => withSydent(r, sydent?.[i]));
}
