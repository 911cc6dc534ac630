import { actorOf, requireApiOperator } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { recordAccess } from "@/lib/audit/log";
import { latestSth, ProofError, proveConsistency, proveInclusion } from "@/lib/audit/proofs";

export const dynamic = "force-dynamic";

// GET /api/audit/tree                      the latest signed tree head
// GET /api/audit/tree?first=M[&second=N]   RFC 6962 consistency proof between tree sizes M and N
// GET /api/audit/tree?seq=S[&size=N]       inclusion proof of entry S in the tree of size N
// N defaults to the latest signed head's size and must be the size of a signed head. Hashes are
// lowercase hex; leaf = SHA-256(0x00 || entry hash), node = SHA-256(0x01 || left || right)
// (lib/audit/merkle.ts). Same answers as `audit:proof`. Each request is access-logged.

const num = (v: string | null) => (v === null ? undefined : /^\d{1,10}$/.test(v) ? Number(v) : NaN);

export async function GET(request: Request): Promise<Response> {
  const op = await requireApiOperator("accessLog.verify");
  if (op instanceof Response) return op;
  const q = new URL(request.url).searchParams;
  const [first, second, seq, size] = ["first", "second", "seq", "size"].map((k) => num(q.get(k)));
  const bad = (message: string) => Response.json({ error: { code: "bad-request", message } }, { status: 400 });
  if ([first, second, seq, size].some((n) => Number.isNaN(n))) return bad("first, second, seq and size must be whole numbers.");
  if (first !== undefined && seq !== undefined) return bad("Ask for a consistency proof (first) or an inclusion proof (seq), not both.");
  try {
    const body =
      first !== undefined ? await proveConsistency(db(), first, second)
      : seq !== undefined ? await proveInclusion(db(), seq, size)
      : { sth: await latestSth(db()) };
    await recordAccess({ actor: actorOf(op), action: "accessLog.proof", outcome: "ok", details: { first, second, seq, size } });
    return Response.json(body, { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    if (e instanceof ProofError) return bad(e.message);
    throw e;
  }
}
